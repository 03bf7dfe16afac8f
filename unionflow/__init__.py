"""unionflow: the annual mutual-review assessment of trade-union reform pilot units.

The domain and its edges live in this package (`assessment`, `intake`, `sources`, `reports`,
`synth`, `portal`, `bench`); the Prefect layers keep the top-level folders SPEC section 2 names
(`flows/`, `tasks/`, `warehouse/`, `expectations/`). See docs/architecture.md.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("unionflow")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0+unknown"
