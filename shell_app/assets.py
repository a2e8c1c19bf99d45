"""Vendored front-end assets (see static/vendor/VENDORED.md)."""

HTMX_VERSION = "2.0.11"
HTMX_FILE = f"vendor/htmx-{HTMX_VERSION}.min.js"
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
