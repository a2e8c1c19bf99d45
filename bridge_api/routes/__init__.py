"""Bridge routes, one module per area; each exposes register(bp)."""
