"""The monolith's release (shown on /healthz and in every page's footer)."""
VERSION = "1.0.0"
