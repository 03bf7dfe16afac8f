"""The figures of the "commands" table, each held to issue 15's target, and the table itself."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from unionflow.bench.timing import Timing, repeats


@dataclass
class CommandFigure:
    """One command's median and fastest wall time beside its target, and whether it met it.

    `limit` is the target in seconds (None: a reference figure, held to nothing); `code` the exit
    code every run must have; `one_line` whether stderr must be exactly one line (a refusal).
    """

    name: str
    median: float
    fastest: float
    cpu: float
    code: int
    stderr_lines: int
    load: float
    target: str
    limit: float | None
    expected_code: int | None
    one_line: bool = False
    inclusive: bool = False

    @classmethod
    def of(
        cls,
        name: str,
        timing: Timing,
        target: str,
        limit: float | None,
        expected_code: int | None = None,
        *,
        one_line: bool = False,
        inclusive: bool = False,
    ) -> CommandFigure:
        """The figure of `timing`, held to `limit` seconds (`inclusive`: ≤ rather than <)."""
        return cls(name, timing.median, timing.fastest, timing.cpu, timing.code, timing.lines, timing.load,
                   target, limit, expected_code, one_line, inclusive)  # fmt: skip

    @property
    def passed(self) -> bool | None:
        """None for a reference figure; else the median within the limit, with the expected exit
        code on every run and, for a refusal, exactly one line on stderr."""
        if self.limit is None:
            return None
        fast = self.median <= self.limit if self.inclusive else self.median < self.limit
        exits = self.expected_code is None or self.code == self.expected_code
        return fast and exits and (not self.one_line or self.stderr_lines == 1)

    @property
    def mark(self) -> str:
        return {None: "", True: "pass", False: "FAIL"}[self.passed]

    def line(self) -> str:
        return (
            f"  {self.name}: median {self.median:.2f} s, min {self.fastest:.2f} s, CPU {self.cpu:.2f} s "
            f"(exit {self.code}, {self.stderr_lines} stderr lines, load {self.load:.1f}); "
            f"target {self.target} {self.mark}"
        )


class Figures(list[CommandFigure]):
    """The figures so far, each printed as it arrives when a console is given (the table takes
    minutes on a busy machine)."""

    def __init__(self, console: Console | None) -> None:
        super().__init__()
        self.console = console

    def append(self, figure: CommandFigure) -> None:
        super().append(figure)
        if self.console is not None:
            self.console.print(figure.line(), highlight=False)


def show(figures: list[CommandFigure], console: Console, niceness: int) -> None:
    """The commands table, and a last line counting the targets met."""
    table = Table(
        title=f"commands (median and min of {repeats()} runs each after a warm-up, new process per run, "
        f"niceness {niceness})"
    )
    for column in ("command", "median s", "min s", "CPU s", "exit", "stderr lines", "load 1m", "target", ""):
        table.add_column(column, justify="left" if column in ("command", "target", "") else "right")
    for f in figures:
        table.add_row(f.name, f"{f.median:.2f}", f"{f.fastest:.2f}", f"{f.cpu:.2f}", str(f.code),
                      str(f.stderr_lines), f"{f.load:.1f}", f.target, f.mark)  # fmt: skip
    console.print(table)
    held = [f for f in figures if f.passed is not None]
    console.print(
        f"commands: {sum(bool(f.passed) for f in held)} of {len(held)} targets met", highlight=False
    )
