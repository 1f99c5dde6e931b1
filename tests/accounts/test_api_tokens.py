"""API tokens: stored hashed, revocable, tied to an active user, made by a command."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import ApiToken
from accounts.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)

VENDORS = "/api/v1/vendors"


def get_vendors(raw_token: str):
    return Client().get(VENDORS, HTTP_AUTHORIZATION=f"Bearer {raw_token}")


def test_token_is_stored_hashed_never_in_the_clear(clerk):
    token, raw = api_token_create(user=clerk, name="ERP sync")

    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in {str(value) for value in row.values()}
    assert row["key_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert row["name"] == "ERP sync"
    # Only a short prefix is kept, to tell tokens apart in the admin.
    assert raw.startswith(row["prefix"])
    assert len(row["prefix"]) < len(raw) // 3


def test_each_token_is_unique_and_authenticates_its_user(clerk):
    _, first = api_token_create(user=clerk)
    _, second = api_token_create(user=clerk)

    assert first != second
    assert first.startswith("p2p_")
    assert api_token_authenticate(raw_token=first) == clerk
    assert get_vendors(second).status_code == 200


def test_using_a_token_records_when_it_was_last_used(clerk):
    token, raw = api_token_create(user=clerk)
    assert token.last_used_at is None

    get_vendors(raw)

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_refused_with_401(clerk):
    token, raw = api_token_create(user=clerk)
    assert get_vendors(raw).status_code == 200

    api_token_revoke(token=token)

    response = get_vendors(raw)
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]
    assert api_token_authenticate(raw_token=raw) is None


def test_revoking_one_token_leaves_the_users_other_tokens_working(clerk):
    revoked, raw_revoked = api_token_create(user=clerk)
    _, raw_kept = api_token_create(user=clerk)

    api_token_revoke(token=revoked)

    assert get_vendors(raw_revoked).status_code == 401
    assert get_vendors(raw_kept).status_code == 200


def test_revoking_twice_keeps_the_first_revocation_time(clerk):
    token, _ = api_token_create(user=clerk)
    api_token_revoke(token=token)
    first = ApiToken.objects.get(pk=token.pk).revoked_at

    api_token_revoke(token=ApiToken.objects.get(pk=token.pk))

    assert ApiToken.objects.get(pk=token.pk).revoked_at == first


def test_token_of_inactive_user_is_refused_with_401(clerk):
    _, raw = api_token_create(user=clerk)
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])

    response = get_vendors(raw)

    assert response.status_code == 401
    assert api_token_authenticate(raw_token=raw) is None


@pytest.mark.parametrize("raw", ["", "p2p_", "p2p_unknown", "not-a-p2p-token"])
def test_unknown_token_authenticates_nobody(db, raw):
    assert api_token_authenticate(raw_token=raw) is None


def test_create_api_token_command_prints_a_token_that_authenticates(clerk):
    out = StringIO()

    call_command("create_api_token", "clerk", "--name", "nightly export", stdout=out)

    raw = out.getvalue().strip()
    assert raw.startswith("p2p_")
    assert get_vendors(raw).status_code == 200
    token = ApiToken.objects.get(user=clerk)
    assert token.name == "nightly export"
    assert raw not in token.key_hash


def test_create_api_token_command_for_unknown_user_fails_and_creates_nothing(db):
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("create_api_token", "ghost", stdout=StringIO())

    assert not ApiToken.objects.exists()


def test_create_api_token_command_for_inactive_user_fails(clerk):
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])

    with pytest.raises(CommandError, match="inactive"):
        call_command("create_api_token", "clerk", stdout=StringIO())

    assert not ApiToken.objects.exists()
