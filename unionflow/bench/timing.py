"""Timing whole commands for the bench's "commands" table: new processes, medians, load average.

A command is timed as a user meets it: a new process (the venv's Python running the console
command's module), wall time from spawn to exit. Each figure is the median of REPEATS runs after
one unmeasured warm-up (page cache, Prefect's database migrations), with the fastest run beside it,
the machine's 1-minute load average over the runs, since the machine may be shared, and the CPU
seconds the command's processes used (its own and its children's, e.g. a temporary Prefect server):
on a machine shared with others, wall time is mostly the queue for a core, CPU time is not.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

REPEATS = 5
#: Niceness the commands are measured at when the bench may raise its priority (root): the
#: figures then say more about unionflow than about whoever else shares the machine.
NICENESS = -5


@dataclass
class Command:
    """One command line to time, in its own environment; `fresh` is emptied before each run."""

    args: list[str]
    env: dict[str, str]
    cwd: Path
    fresh: Path | None = None


@dataclass
class Timing:
    """The measured runs of one command."""

    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)
    stderr_lines: list[int] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_seconds)

    @property
    def fastest(self) -> float:
        return min(self.seconds)

    @property
    def code(self) -> int:
        """The exit code, or -1 when the runs disagree (a flaky command is a failure)."""
        return self.codes[0] if len(set(self.codes)) == 1 else -1

    @property
    def lines(self) -> int:
        """Most stderr lines of any run (a refusal must print exactly one every time)."""
        return max(self.stderr_lines)

    @property
    def load(self) -> float:
        return statistics.mean(self.loads)


def repeats() -> int:
    """REPEATS, or $UNIONFLOW_BENCH_REPEATS for a quick look (the table's figures use 5)."""
    return max(1, int(os.environ.get("UNIONFLOW_BENCH_REPEATS") or REPEATS))


def prioritise() -> int:
    """Raise this process's priority to NICENESS when allowed (children inherit it); the niceness."""
    try:
        if os.getpriority(os.PRIO_PROCESS, 0) > NICENESS:
            os.setpriority(os.PRIO_PROCESS, 0, NICENESS)
    except PermissionError:
        pass  # not root: measured at the ordinary priority, which the table's title says
    return os.getpriority(os.PRIO_PROCESS, 0)


def _once(command: Command, into: Timing | None) -> None:
    if command.fresh is not None:
        shutil.rmtree(command.fresh, ignore_errors=True)
        command.fresh.mkdir(parents=True)
    # Every process this one has waited for so far; the difference is this command's (it waits
    # for its own children, the temporary server included).
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        command.args, env=command.env, cwd=command.cwd, capture_output=True, text=True, timeout=600
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if into is not None:
        into.seconds.append(seconds)
        into.cpu_seconds.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        into.codes.append(done.returncode)
        into.stderr_lines.append(len(done.stderr.splitlines()))
        into.loads.append(os.getloadavg()[0])


def time_commands(*commands: Command) -> list[Timing]:
    """Time the commands, their runs interleaved (A B A B …) after one warm-up each, so that a
    change in the machine's load falls on all of them alike and their ratio stays fair."""
    timings = [Timing() for _ in commands]
    for command in commands:
        _once(command, None)
    for _ in range(repeats()):
        for command, timing in zip(commands, timings, strict=True):
            _once(command, timing)
    return timings
