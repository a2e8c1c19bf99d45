"""What the knowledge service publishes for other services to read of the articles it owns:
versioned query modules that import nothing of the service (docs/architecture.md, "Who may read what")."""
