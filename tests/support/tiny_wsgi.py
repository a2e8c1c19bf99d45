"""The smallest WSGI app, for tests of how processes are started and stopped (not of what they serve)."""


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"status": "ok"}']
