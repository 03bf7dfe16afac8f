"""`python -m flows` runs the `unionflow` command line."""

from flows.cli import main

main()
