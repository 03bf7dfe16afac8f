"""From received payloads to accepted records and quarantine: pure, set-wise, no I/O."""
