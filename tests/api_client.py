"""Calling the JSON API from tests as a client would."""

import json

from django.test import Client

from accounts.services import api_token_create


def bearer(user) -> dict:
    """Headers authenticating as `user` with a fresh API token."""
    _, raw = api_token_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def send(method: str, url: str, body, headers: dict, client: Client | None = None):
    """Send `body` (a dict, or a str sent as is) as JSON with `method`."""
    client = client or Client()
    data = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(
        url, data=data, content_type="application/json", **headers
    )
