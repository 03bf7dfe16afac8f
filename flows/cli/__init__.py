"""The `unionflow` command line: one module per command group, shared options in `options`."""

from flows.cli.main import app, main

__all__ = ["app", "main"]
