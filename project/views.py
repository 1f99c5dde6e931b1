"""The API's interactive documentation."""

from ninja.openapi.views import openapi_view

from project.api import api


def api_docs(request):
    """Serve the interactive OpenAPI docs (Swagger UI, bundled: no CDN)."""
    return openapi_view(request, api=api)
