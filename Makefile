# unionflow: `make demo` runs the main job on embedded defaults, `make test` runs the tests.
# Works on a fresh machine with only Python 3.11 and pip: uv is installed with pip when missing.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
RUN := $(UV) run --frozen

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: setup demo test bench lint clean

setup:  ## install uv if missing, sync the locked environment and compile its bytecode once
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@$(UV) sync --frozen --quiet
	@# uv installs no .pyc files, and where PYTHONDONTWRITEBYTECODE is set (CI, containers, this
	@# machine) Python never writes them: every command would compile Prefect, pandas and GX from
	@# source again (about 2 s of CPU per flow-running command, issue 15). Compiled once per lock.
	@[ .venv/.bytecode -nt uv.lock ] || { .venv/bin/python -m compileall -q -j 0 \
		"$$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
		>/dev/null 2>&1; touch .venv/.bytecode; }
	@# The project's own packages too (fast: compileall skips what is up to date; a stale .pyc is
	@# never used, Python checks the source's mtime).
	@.venv/bin/python -m compileall -q -j 0 flows tasks warehouse expectations unionflow >/dev/null 2>&1 || true

demo: setup  ## synthesise a year and run the annual flow on it (writes out/demo)
	$(RUN) unionflow demo --out out/demo

test: setup  ## the test suite (installs Debian's Chromium and PostgreSQL for the browser and server tests when missing)
	@bash scripts/install-chromium.sh
	@bash scripts/install-postgresql.sh
	@bash scripts/install-axe.sh
	$(RUN) pytest -n 2 --dist loadfile -q

bench: setup  ## speed and memory figures (prints a table; never fails on timing)
	$(RUN) python -m unionflow.bench
	$(RUN) python -m unionflow.bench.same_work  # same-work floors at $$UNIONFLOW_BENCH_UNITS (100,000)
	$(RUN) python -m unionflow.bench.decision

lint: setup  ## ruff, mypy and the layer contracts of docs/architecture.md (import-linter)
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy
	$(RUN) lint-imports --no-cache

clean:
	rm -rf out bench-results .pytest_cache .mypy_cache .ruff_cache
