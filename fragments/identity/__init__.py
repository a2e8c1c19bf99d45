"""The identity service (iteration 5): login accounts and sign-in, moved out of the monolith
(docs/adr/0032).

Its own process, its accounts in the graph (taken over from the monolith at each account's first sign-in
here and by backfill, with the freeze protocol every part uses), its sessions in the graph server's key
space, the login throttle, password change, and the user tokens it alone will issue: the front door's
permission check (`/auth/fragment/<name>`, nginx's auth_request) and the token exchange of ADR 0031.
"""
VERSION = "1.0.0"
