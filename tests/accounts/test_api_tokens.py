"""API tokens: stored hashed, revocable, expiring, optionally read-only, tied to an
active user, made by a command or in the admin."""

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from core.errors import ValidationFailed
from tests.api_client import send
from vendors.selectors import vendor_get

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


# --- Expiry and read-only scope (issue 13 item 11) ---------------------------


def test_a_token_expires_after_the_default_lifetime(clerk, settings):
    assert settings.API_TOKEN_DEFAULT_DAYS == 90
    token, raw = api_token_create(user=clerk)

    lifetime = token.expires_at - token.created_at
    assert dt.timedelta(days=90) - lifetime < dt.timedelta(seconds=5)
    assert get_vendors(raw).status_code == 200


def test_an_expired_token_is_refused_with_401_saying_so(clerk):
    token, raw = api_token_create(user=clerk, lifetime_days=7)
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    response = get_vendors(raw)

    assert response.status_code == 401
    assert "expired on" in response.json()["detail"]
    assert token.prefix in response.json()["detail"]


def test_a_lifetime_outside_one_day_to_the_maximum_is_refused(clerk, settings):
    settings.API_TOKEN_MAX_DAYS = 30
    for days in (0, 31):
        with pytest.raises(ValidationFailed, match="from 1 to 30 days"):
            api_token_create(user=clerk, lifetime_days=days)
    assert not ApiToken.objects.exists()


def test_a_read_only_token_reads_but_any_write_gets_403(clerk, vendor):
    _, raw = api_token_create(user=clerk, read_only=True)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert get_vendors(raw).status_code == 200

    writes = [
        send("post", VENDORS, {"name": "X", "email": "x@example.com"}, headers),
        send("put", f"{VENDORS}/{vendor.id}", {"phone": "1"}, headers),
        send("delete", f"{VENDORS}/{vendor.id}", {}, headers),
        send("put", "/api/v1/purchase-orders/any/approve", "{not json", headers),
    ]

    for response in writes:
        assert response.status_code == 403, response.content
        assert "read-only" in response.json()["detail"]
    assert vendor_get(vendor_id=vendor.id).phone == vendor.phone


def test_create_api_token_command_sets_lifetime_and_read_only(clerk):
    out = StringIO()

    call_command("create_api_token", "clerk", "--days", "7", "--read-only", stdout=out)

    token = ApiToken.objects.get(user=clerk)
    assert token.read_only
    assert token.expires_at - token.created_at < dt.timedelta(days=7, seconds=5)
    raw = out.getvalue().strip()
    assert get_vendors(raw).status_code == 200
    refused = send("post", VENDORS, {}, {"HTTP_AUTHORIZATION": f"Bearer {raw}"})
    assert refused.status_code == 403


def test_create_api_token_command_refuses_a_lifetime_too_long(clerk, settings):
    with pytest.raises(CommandError, match="from 1 to 365 days"):
        call_command("create_api_token", "clerk", "--days", "400", stdout=StringIO())


# serialized_rollback, as the browser tests: the flush after a transactional
# test would otherwise recreate the content types they restore.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_tokens_issued_before_expiry_existed_expire_90_days_after_creation():
    before, after = (
        ("accounts", "0003_profile_email_preferences"),
        (
            "accounts",
            "0005_apitoken_expires_at_required",
        ),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old_apps = executor.loader.project_state([before]).apps
    user = old_apps.get_model("auth", "User").objects.create(username="legacy")
    tokens = old_apps.get_model("accounts", "ApiToken").objects
    now = timezone.now()
    for name, age in (("old", 100), ("recent", 10)):
        token = tokens.create(
            user=user, name=name, prefix=f"p2p_{name}", key_hash=name * 8
        )
        tokens.filter(pk=token.pk).update(created_at=now - dt.timedelta(days=age))

    executor = MigrationExecutor(connection)
    executor.migrate([after])
    expiry = {t.name: t.expires_at for t in ApiToken.objects.all()}
    read_only = ApiToken.objects.filter(read_only=True).exists()
    # Back to the latest schema, which the tests after this one use.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert abs(expiry["old"] - (now - dt.timedelta(days=10))) < dt.timedelta(seconds=5)
    assert abs(expiry["recent"] - (now + dt.timedelta(days=80))) < dt.timedelta(
        seconds=5
    )
    assert not read_only


def test_only_a_superuser_issues_api_tokens_in_the_admin(db, admin_user):
    from django.contrib.auth.models import Permission

    from tests.conftest import make_user

    staff = make_user("staffer")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_apitoken", "view_apitoken"])
    )
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    refused = client.post(
        "/admin/accounts/apitoken/add/",
        {"user": admin_user.pk, "name": "mine now", "lifetime_days": 90},
    )
    assert refused.status_code == 403
    assert not ApiToken.objects.filter(name="mine now").exists()

    client.force_login(admin_user)
    assert client.get("/admin/accounts/apitoken/add/").status_code == 200
