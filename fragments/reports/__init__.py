"""The reports fragment: what managers watch, computed from the graph (ticket operations, experts,
migration progress), embedded in the legacy Reports screen. domain/ holds the metric definitions."""
VERSION = "1.0.0"
