"""Versioned JSON API inside the monolith for the new services (mounted under /bridge/v1/)."""
