"""What every fragment app shares: bearer-token authentication with default-deny roles, CSRF bound to
the user's shell session, the manifest route, error pages and problem bodies, security headers."""
