"""Numbered `.sql` migrations, applied in order and recorded in `schema_migrations`.

Migrations are add-only (new tables, new columns on index-free tables): DuckDB refuses ALTER on
tables with indexes, and a published year must stay readable by later versions.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

import duckdb

from warehouse.sql import run, transaction

_NAME = re.compile(r"^(?P<version>\d{3})_(?P<name>[a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One schema step: its number, name, SQL text and checksum."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def available_migrations() -> list[Migration]:
    """The migrations shipped with the package, in version order."""
    found = []
    for entry in resources.files(__name__).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match["version"]), match["name"], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


def migrate(conn: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration not yet recorded; return the versions applied now.

    Each migration runs in its own transaction together with its `schema_migrations` row, so a
    crash leaves the schema either before or after a step, never half-way.
    """
    run(
        conn,
        "create table if not exists schema_migrations ("
        " version integer not null, name varchar not null, checksum varchar not null,"
        " applied_at timestamptz not null default current_timestamp)",
    )
    done = {row[0] for row in conn.execute("select version from schema_migrations").fetchall()}
    applied = []
    for migration in available_migrations():
        if migration.version in done:
            continue
        with transaction(conn):
            conn.execute(migration.sql).fetchall()
            run(
                conn,
                "insert into schema_migrations (version, name, checksum) values (?, ?, ?)",
                [migration.version, migration.name, migration.checksum],
            )
        applied.append(migration.version)
    return applied
