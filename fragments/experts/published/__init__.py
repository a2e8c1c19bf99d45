"""What the experts service publishes for other services to read of the expert profiles it owns:
versioned query modules that import nothing of the service (docs/architecture.md, "Who may read what")."""
