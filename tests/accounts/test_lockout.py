"""Credential attacks are slowed: sign-in lockout (django-axes) and bad API tokens."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.services import api_token_create

PASSWORD = "pw-for-tests-1"  # make_user's
VENDORS = "/api/v1/vendors"


def sign_in(username, password, *, address="10.0.0.1", url=None):
    client = Client(REMOTE_ADDR=address)
    response = client.post(
        url or reverse("login"), {"username": username, "password": password}
    )
    return client, response


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_fifty_wrong_passwords_then_the_right_one_is_locked_out(clerk):
    for _ in range(50):
        _, response = sign_in("clerk", "wrong-password")
    client, response = sign_in("clerk", PASSWORD)

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert not signed_in(client)
    page = response.content.decode()
    # The rule and the wait, in words the user understands.
    assert "5 failed sign-ins in a row" in page
    assert "for “clerk” from your address" in page
    assert "Try again in 15 minutes" in page
    assert "administrator" in page


def test_fewer_failures_than_the_limit_still_sign_in(clerk):
    for _ in range(4):
        sign_in("clerk", "wrong-password")
    client, response = sign_in("clerk", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_a_success_starts_the_count_again(clerk):
    for _ in range(4):
        sign_in("clerk", "wrong-password")
    sign_in("clerk", PASSWORD)
    for _ in range(4):
        sign_in("clerk", "wrong-password")
    client, _ = sign_in("clerk", PASSWORD)

    assert signed_in(client)


def test_lockout_counts_per_user_name_and_address(clerk, clerk2):
    for _ in range(5):
        sign_in("clerk", "wrong-password", address="10.0.0.1")

    # The same user at their own desk, and a colleague at the attacked address.
    at_desk, _ = sign_in("clerk", PASSWORD, address="10.0.0.2")
    colleague, _ = sign_in("clerk2", PASSWORD, address="10.0.0.1")
    locked, response = sign_in("clerk", PASSWORD, address="10.0.0.1")

    assert signed_in(at_desk) and signed_in(colleague)
    assert not signed_in(locked) and response.status_code == 429


def test_the_admin_login_is_locked_out_too(db):
    from tests.conftest import make_user

    admin = make_user("admin", superuser=True)
    admin.is_staff = True
    admin.save()
    for _ in range(50):
        sign_in("admin", "wrong-password", url="/admin/login/")
    client, response = sign_in("admin", PASSWORD, url="/admin/login/")

    assert response.status_code == 429
    assert "5 failed sign-ins in a row" in response.content.decode()
    assert not signed_in(client)


def test_axes_reset_unlocks_a_locked_out_user(clerk):
    for _ in range(5):
        sign_in("clerk", "wrong-password")
    assert sign_in("clerk", PASSWORD)[1].status_code == 429

    call_command("axes_reset_username", "clerk", stdout=StringIO())

    client, _ = sign_in("clerk", PASSWORD)
    assert signed_in(client)


def test_locked_attempts_are_listed_in_the_admin(clerk):
    from tests.conftest import make_user

    for _ in range(5):
        sign_in("clerk", "wrong-password")
    admin = make_user("admin", superuser=True)
    admin.is_staff = True
    admin.save()
    client = Client()
    client.force_login(admin)

    page = client.get("/admin/axes/accessattempt/").content.decode()
    assert "clerk" in page and "10.0.0.1" in page


@pytest.fixture
def api_limit(settings):
    settings.API_TOKEN_FAILURE_LIMIT = 10
    return 10


def get_vendors(token, *, address="10.0.0.9"):
    return Client(REMOTE_ADDR=address).get(
        VENDORS, HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_random_bearer_tokens_are_refused_after_the_limit(clerk, api_limit):
    answers = [get_vendors(f"p2p_guess{n}").status_code for n in range(api_limit)]
    # The guess that reaches the limit is answered with the lockout.
    assert answers == [401] * (api_limit - 1) + [429]

    _, valid = api_token_create(user=clerk)
    refused = get_vendors(valid)

    # Locked: even a valid token from that address waits, so guessing stops.
    assert refused.status_code == 429
    detail = refused.json()["detail"]
    assert "10 failed API tokens in a row from your address" in detail
    assert "Try again in 15 minutes" in detail
    # Another address is not affected.
    assert get_vendors(valid, address="10.0.0.10").status_code == 200


def test_bad_tokens_from_an_address_are_unlocked_by_axes_reset_ip(clerk, api_limit):
    for n in range(api_limit):
        get_vendors(f"p2p_guess{n}")
    _, valid = api_token_create(user=clerk)
    assert get_vendors(valid).status_code == 429

    call_command("axes_reset_ip", "10.0.0.9", stdout=StringIO())

    assert get_vendors(valid).status_code == 200


def test_deploy_check_warns_when_a_proxy_is_trusted_but_not_counted(settings):
    from accounts.checks import lockout_behind_proxy_check

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.LOGIN_LOCKOUT_PROXY_COUNT = 0
    assert [w.id for w in lockout_behind_proxy_check()] == ["accounts.W001"]
    settings.LOGIN_LOCKOUT_PROXY_COUNT = 1
    assert lockout_behind_proxy_check() == []
