"""What the data must look like: record contracts (pandera) and dataset suites (Great Expectations)."""
