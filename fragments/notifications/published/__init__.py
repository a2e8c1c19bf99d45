"""What the notifications service publishes for others to read (nothing yet but its HTTP API)."""
