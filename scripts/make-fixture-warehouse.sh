#!/usr/bin/env bash
# Regenerate the committed fixture warehouse tests/fixtures/warehouse-v1/ (issue 19).
#
# The fixture is a warehouse written by this release, kept so that later releases prove they still
# open it, migrate it (add-only) and reproduce its published CSVs byte for byte
# (tests/test_fixture_warehouse.py). Regenerate it only when a release changes the format or the
# outputs on purpose, and say so in the commit; see docs/operations.md.
#
# Usage: bash scripts/make-fixture-warehouse.sh [FOLDER]   (default tests/fixtures/warehouse-v1)
set -euo pipefail

cd "$(dirname "$0")/.."
target="${1:-tests/fixtures/warehouse-v1}"
UNITS=40
YEAR=2025
SEED=20231
RUN=(uv run --frozen)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

synth=(unionflow synth --units "$UNITS" --year "$YEAR" --seed "$SEED" --out "$work/source")
run=(unionflow run --year "$YEAR" --source "$work/source" --out "$work/out" --db "$work/warehouse.duckdb")
"${RUN[@]}" "${synth[@]}"
"${RUN[@]}" "${run[@]}"

# Fold the write-ahead log into the file, so the one file is the whole warehouse.
"${RUN[@]}" python - "$work/warehouse.duckdb" <<'PY'
import sys

import duckdb

conn = duckdb.connect(sys.argv[1])
conn.execute("checkpoint")
conn.close()
PY

mkdir -p "$target"
cp "$work/warehouse.duckdb" "$target/warehouse.duckdb"
for name in scores.csv allocations.csv quarantine.csv; do
    cp "$work/out/$name" "$target/$name"
done

# What wrote the fixture: the versions a future reader needs to interpret it, and the file's
# digest (the test checks the committed bytes are still these).
shown_synth="${synth[*]//$work/\$WORK}"
shown_run="${run[*]//$work/\$WORK}"
"${RUN[@]}" python - "$target" "$YEAR" "$shown_synth" "$shown_run" <<'PY'
import datetime as dt
import hashlib
import json
import sys
from importlib.metadata import version
from pathlib import Path

import duckdb

target, year, commands = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
db = target / "warehouse.duckdb"
conn = duckdb.connect(str(db), read_only=True)
migrations = [row[0] for row in conn.execute("from schema_migrations select version order by version").fetchall()]
conn.close()
written_by = {
    "unionflow": version("unionflow"),
    "migration_level": max(migrations),
    "migrations": migrations,
    "duckdb": duckdb.__version__,
    "date": dt.datetime.now(dt.UTC).date().isoformat(),
    "year": year,
    "commands": commands,
    "warehouse_sha256": hashlib.sha256(db.read_bytes()).hexdigest(),
}
(target / "written-by.json").write_text(json.dumps(written_by, indent=2) + "\n", encoding="utf-8")
PY
ls -l "$target"
