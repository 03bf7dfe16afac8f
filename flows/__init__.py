"""Prefect flows (they only wire tasks) and the `unionflow` command line."""
