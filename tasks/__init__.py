"""Prefect tasks: each does one step of the annual cycle and is a thin wrapper around plain code.

Tasks take the open warehouse connection, so they use `NO_CACHE`: Prefect's default cache policy
hashes inputs, which is meaningless for a connection and would reuse stale results within a run.
"""
