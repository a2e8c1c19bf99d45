"""Project-wide tooling: configuration, the process supervisor and the `sysops` CLI."""
