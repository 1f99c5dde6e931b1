"""
gunicorn's settings for `gunicorn project.wsgi`, read from the working
directory (the repository root) without any option.

gunicorn writes `Server: gunicorn` before the application's headers and has
no setting to leave it out; the banner only tells an attacker what to probe,
so the HTTP/1 response's default headers are sent without it.
"""

from gunicorn.http import wsgi


def _without_server_banner(default_headers):
    def headers(self):
        return [h for h in default_headers(self) if not h.startswith("Server:")]

    return headers


wsgi.Response.default_headers = _without_server_banner(wsgi.Response.default_headers)
