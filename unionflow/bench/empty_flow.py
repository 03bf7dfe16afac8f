"""The commands table's floor: one empty Prefect flow run, in a new process, on the runtime `run` uses.

`python -m unionflow.bench.empty_flow` chooses its Prefect API exactly as `unionflow run` does
(`flows.cli.runtime.flow_runtime`: the configured PREFECT_API_URL, else a temporary server it
starts and stops), imports Prefect while that server boots, and runs a flow that does nothing.
What `run` costs beyond this is unionflow's own work.
"""

from __future__ import annotations

from flows.cli.runtime import flow_runtime


def main() -> None:
    with flow_runtime() as runtime:
        from prefect import flow

        @flow(name="bench-empty")
        def empty() -> None:
            """Nothing: the flow run's own cost is what is measured."""

        with runtime.running():
            empty()


if __name__ == "__main__":
    main()
