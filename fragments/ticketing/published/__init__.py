"""What the ticketing service publishes for other services to read of the tickets it owns: versioned
query modules that import nothing of the service (docs/architecture.md, "Who may read what")."""
