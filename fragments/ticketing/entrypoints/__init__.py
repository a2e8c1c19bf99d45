"""How the outside reaches ticketing: HTMX views (embedded in the shell), a JSON API, the timer worker."""
