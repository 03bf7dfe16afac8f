"""A throwaway PostgreSQL server for tests: its own cluster in a temp folder, on a free local port.

Debian's `postgresql` package (scripts/install-postgresql.sh, run by `make test`) brings the
binaries; its default cluster is never used. `initdb` builds a cluster in a fresh temp folder owned
by an unprivileged user (PostgreSQL refuses to run as root, so as root the commands run as the
package's `postgres` user through `runuser`), `pg_ctl` starts it on 127.0.0.1 with its unix socket
in that folder (so it meets no other server's socket or lock file), and `stop()` stops it and removes
the folder. Durability is switched off: the cluster lives for one test module.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Where Debian keeps each major version's server binaries (`/usr/lib/postgresql/15/bin`, …).
BIN_PATTERN = "/usr/lib/postgresql/*/bin"
PROGRAMS = ("initdb", "pg_ctl", "postgres", "psql")
#: The unprivileged user that runs the server when the tests run as root (made by the package).
SERVER_USER = "postgres"
#: Deadlines (seconds) for each step; a loaded 2-core machine takes several times the idle figure.
INITDB_SECONDS = 120.0
START_SECONDS = 60
STOP_SECONDS = 30
PSQL_SECONDS = 60.0
#: For a cluster that lives minutes: no fsync or full-page writes (nothing to recover after a crash).
SERVER_OPTIONS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be run here (not installed, or no unprivileged user to run it as root)."""


class PostgresError(RuntimeError):
    """A PostgreSQL program failed; the message has its output and the server log's tail."""


def find_bin() -> Path | None:
    """The newest Debian PostgreSQL bin folder holding every program the tests need, else None."""

    def major(folder: str) -> int:
        found = re.search(r"/(\d+)/bin$", folder)
        return int(found.group(1)) if found else -1

    for folder in sorted(glob.glob(BIN_PATTERN), key=major, reverse=True):
        if all(os.access(Path(folder) / name, os.X_OK) for name in PROGRAMS):
            return Path(folder)
    return None


def _runner() -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that runs a PostgreSQL program unprivileged, and that user when switching."""
    if os.geteuid() != 0:
        return [], None
    try:
        user = pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root and there is no {SERVER_USER!r} user to run PostgreSQL as "
            "(Debian's postgresql package makes it: scripts/install-postgresql.sh)"
        ) from None
    if runuser := shutil.which("runuser"):
        return [runuser, "-u", SERVER_USER, "--"], user
    raise PostgresUnavailable("running as root and `runuser` is missing to run PostgreSQL unprivileged")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    """One running PostgreSQL server; `url()` names a database on it for SQLAlchemy's asyncpg driver."""

    bin: Path
    folder: Path
    port: int
    password: str
    prefix: list[str]

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "postgres.log"

    @classmethod
    def start(cls) -> Cluster:
        """initdb a cluster in a new temp folder and start it; PostgresUnavailable if it cannot run here."""
        bin_folder = find_bin()
        if bin_folder is None:
            raise PostgresUnavailable(
                f"PostgreSQL is not installed (no {', '.join(PROGRAMS)} under {BIN_PATTERN}; "
                "run scripts/install-postgresql.sh)"
            )
        prefix, user = _runner()
        folder = Path(tempfile.mkdtemp(prefix="unionflow-pg-"))
        cluster = cls(bin_folder, folder, _free_port(), secrets.token_hex(16), prefix)
        try:
            cluster._init(user)
            cluster._pg_ctl(
                "start", "-w", "-t", str(START_SECONDS), "-l", str(cluster.log),
                "-o", " ".join([
                    f"-p {cluster.port}", "-c listen_addresses=127.0.0.1", f"-k {folder}",
                    *(f"-c {option}" for option in SERVER_OPTIONS),
                ]),
                timeout=START_SECONDS + 10,
            )  # fmt: skip
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _init(self, user: pwd.struct_passwd | None) -> None:
        """initdb with a superuser password (TCP logins need it) and trust on the private socket only."""
        password_file = self.folder / "superuser-password"
        password_file.write_text(self.password + "\n", encoding="utf-8")
        password_file.chmod(0o600)
        if user is not None:  # the folder and the password file belong to the server's user
            for path in (self.folder, password_file):
                os.chown(path, user.pw_uid, user.pw_gid)
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", f"--pwfile={password_file}",
            "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C", "--no-sync",
            timeout=INITDB_SECONDS,
        )  # fmt: skip
        password_file.unlink()

    def create_database(self, name: str, owner: str, password: str) -> None:
        """A login role and a database it owns, as docs/operations.md creates Prefect's."""
        self._run(
            "psql", "-h", str(self.folder), "-p", str(self.port), "-U", "postgres", "-d", "postgres",
            "-v", "ON_ERROR_STOP=1", "-q",
            "-c", f"create role {name_ok(owner)} login password '{name_ok(password)}'",
            "-c", f"create database {name_ok(name)} owner {name_ok(owner)}",
            timeout=PSQL_SECONDS,
        )  # fmt: skip

    def url(self, database: str, user: str, password: str) -> str:
        """The connection URL for Prefect's PREFECT_SERVER_DATABASE_CONNECTION_URL (TCP, password)."""
        return f"postgresql+asyncpg://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        """Stop the server (fast, then immediate) and remove its folder; each wait has a deadline."""
        try:
            if (self.data / "postmaster.pid").exists():
                try:
                    self._stop("fast")
                except (PostgresError, subprocess.SubprocessError, OSError):
                    self._stop("immediate")  # no clean shutdown: nothing in it is kept anyway
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _stop(self, mode: str) -> None:
        self._pg_ctl("stop", "-m", mode, "-w", "-t", str(STOP_SECONDS), timeout=STOP_SECONDS + 10)

    def _pg_ctl(self, *args: str, timeout: float) -> None:
        self._run("pg_ctl", "-D", str(self.data), *args, timeout=timeout)

    def _run(self, program: str, *args: str, timeout: float) -> None:
        result = subprocess.run(
            [*self.prefix, str(self.bin / program), *args],
            cwd=self.folder,  # readable by the server's user, unlike a root-only checkout
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "LC_ALL": "C"},
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise PostgresError(
                f"{program} {' '.join(args)} exited {result.returncode}:\n{result.stdout[-2000:]}"
                f"{result.stderr[-2000:]}\n--- postgres.log (tail) ---\n{log}"
            )


def name_ok(text: str) -> str:
    """`text` itself when it is safe to splice into SQL unquoted (letters, digits, underscore)."""
    if not re.fullmatch(r"[A-Za-z0-9_]+", text):
        raise ValueError(f"not a plain SQL name or token: {text!r}")
    return text
