"""The new micro-frontends: each sub-package is an independently deployed Flask app."""
