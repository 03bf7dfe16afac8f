"""The bench's commands table: how a command is timed and what counts as meeting its target."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from unionflow.bench.figures import CommandFigure
from unionflow.bench.timing import Command, Timing, time_commands


def _timing(seconds: list[float], code: int = 2, lines: int = 1) -> Timing:
    runs = len(seconds)
    return Timing(seconds, [0.1] * runs, [code] * runs, [lines] * runs, [1.0] * runs)


def test_a_refusal_meets_its_target_only_with_exit_2_and_one_stderr_line() -> None:
    quick = _timing([0.5, 0.6, 0.7])
    assert CommandFigure.of("r", quick, "< 2 s", 2.0, 2, one_line=True).passed is True
    two_lines = _timing([0.5, 0.6, 0.7], lines=2)
    assert CommandFigure.of("r", two_lines, "< 2 s", 2.0, 2, one_line=True).passed is False
    exit_1 = _timing([0.5, 0.6, 0.7], code=1)
    assert CommandFigure.of("r", exit_1, "< 2 s", 2.0, 2, one_line=True).passed is False


def test_the_figure_is_the_median_held_to_the_limit_and_a_floor_is_held_to_nothing() -> None:
    timing = _timing([1.0, 3.0, 2.5])
    assert CommandFigure.of("c", timing, "< 2 s", 2.0).passed is False  # median 2.5, though min 1.0
    assert CommandFigure.of("c", timing, "(floor)", None).passed is None
    assert CommandFigure.of("c", timing, "≤ 2.5 s", 2.5, inclusive=True).passed is True


def test_runs_that_disagree_on_the_exit_code_count_as_a_failure() -> None:
    assert Timing([1.0, 1.0], [0.1, 0.1], [2, 1], [1, 1], [1.0, 1.0]).code == -1


def test_commands_are_timed_in_new_processes_interleaved_after_a_warm_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIONFLOW_BENCH_REPEATS", "2")
    log = tmp_path / "order"
    script = (
        "import os, sys; open(sys.argv[1], 'a').write(sys.argv[2]); sys.stderr.write('x\\n'); sys.exit(2)"
    )
    commands = [Command([sys.executable, "-c", script, str(log), name], {}, tmp_path) for name in "ab"]
    first, second = time_commands(*commands)
    assert log.read_text() == "ab" + "abab"  # one warm-up each, then A B A B
    assert len(first.seconds) == len(second.seconds) == 2
    assert (first.code, first.lines) == (2, 1)
