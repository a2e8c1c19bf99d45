"""The composition shell: what stays of the front end when the monolith is gone (ADR 0033). Layout,
navigation and fragments, people signed in by the identity service; no database, no login code, no
domain templates. `shell_app.front.app.create_front` is its factory; the monolith mounts its fragment
proxy and link pages too while it is still a front door."""
