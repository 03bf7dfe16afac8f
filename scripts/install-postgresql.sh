#!/usr/bin/env bash
# Install Debian's PostgreSQL server for the real-server test (tests/test_prefect_server.py runs
# `prefect server` on it). Idempotent: does nothing when a server binary is already there. The test
# starts its own throwaway cluster (initdb in a temp folder, its own port) and never uses the
# package's default cluster, which on a machine without an init system stays down.
# Needs root (or sudo) and apt; on other systems it says so and exits 0 — the test then skips, naming why.
set -euo pipefail

# The same search as the test's (tests/postgres.py): Debian keeps one folder per major version.
for bin in /usr/lib/postgresql/*/bin; do
    if [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] && [ -x "$bin/postgres" ]; then
        echo "install-postgresql: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') already installed ($bin)"
        exit 0
    fi
done

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-postgresql: apt-get not found; install PostgreSQL yourself (the PostgreSQL server test will skip)" >&2
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo="sudo"
    else
        echo "install-postgresql: not root and no sudo; cannot install postgresql (the PostgreSQL server test will skip)" >&2
        exit 0
    fi
fi

echo "install-postgresql: installing postgresql"
export DEBIAN_FRONTEND=noninteractive
if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null; }; then
    echo "install-postgresql: apt-get could not install postgresql (the PostgreSQL server test will skip)" >&2
    exit 0
fi
ls -d /usr/lib/postgresql/*/bin 2>/dev/null || true
