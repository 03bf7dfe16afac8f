"""`make bench`: wall time and peak memory of each stage, printed as a table and saved as JSON.

Each stage runs in its own child process so its peak RSS is its own (from `os.wait4`). Figures
are reported, never asserted: timing belongs here, not in the test suite.
"""
