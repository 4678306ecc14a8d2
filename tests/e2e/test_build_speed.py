"""Issue 41, builds nearer the floor: what the build no longer does twice (the benchmarks
in benchmarks/run.py measure the time; these tests pin the behaviour that saves it)."""

from __future__ import annotations

from typing import Any

import pytest

from wgreport.build.steps import HTML


class Untraversable(dict[str, str]):
    """A step's argument that fails the test if Prefect walks into it looking for futures."""

    def items(self) -> Any:
        raise AssertionError("Prefect walked into a step's argument")

    def __iter__(self) -> Any:
        raise AssertionError("Prefect walked into a step's argument")


def test_a_step_run_as_a_task_gets_its_arguments_unwalked(
    prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect import flow, task

    from wgreport.flows import annual_report

    seen: list[Any] = []

    def step_fn(first: Any, second: Any) -> str:
        seen.extend([first, second])
        return "done"

    monkeypatch.setitem(
        annual_report.TASKS, HTML.name, task(name=HTML.name, persist_result=False)(step_fn)
    )
    argument = Untraversable(a="b")

    @flow
    def one_step() -> str:
        step: Any = HTML  # a step of two arguments, as step_fn is
        return str(annual_report.PrefectRunner().run(step, argument, second=3))

    assert one_step() == "done"
    # the task got the values themselves, not Prefect's wrappers
    assert seen[0] is argument and seen[1] == 3
