"""
How long a login lasts (issue 13 item 11): SESSION_IDLE_MINUTES without a
request, or SESSION_MAX_HOURS after logging in, ends it, and the login page
says why.
"""

import time

from django.conf import settings
from django.test import Client

from accounts.middleware import LOGGED_IN_AT, SEEN_AT

PASSWORD = "pw-for-tests-1"  # tests.conftest.make_user


def logged_in(user) -> Client:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content
    return client


def move_clock(client, **seconds_ago):
    """Pretend the login or the last request happened `seconds_ago`."""
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = int(now - ago)
    session.save()


def test_defaults_are_thirty_minutes_idle_and_twelve_hours_in_all():
    assert settings.SESSION_IDLE_MINUTES == 30
    assert settings.SESSION_MAX_HOURS == 12
    # The cookie dies with the session, well before Django's 14 days.
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


def test_a_session_idle_for_longer_than_the_time_out_ends_with_a_message(clerk):
    client = logged_in(clerk)
    assert client.get("/vendors/").status_code == 200

    move_clock(client, **{SEEN_AT: 31 * 60})
    response = client.get("/vendors/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/vendors/")
    login_page = client.get(response.url).content.decode()
    assert "logged out after 30 minutes without activity" in login_page
    assert client.get("/vendors/").status_code == 302  # still logged out


def test_each_request_moves_the_idle_time_out_on(clerk):
    client = logged_in(clerk)
    move_clock(client, **{LOGGED_IN_AT: 50 * 60, SEEN_AT: 25 * 60})
    assert client.get("/vendors/").status_code == 200

    move_clock(client, **{LOGGED_IN_AT: 70 * 60})  # 45 minutes after the last
    seen = client.session[SEEN_AT]
    assert time.time() - seen < 60
    assert client.get("/vendors/").status_code == 200


def test_a_session_ends_twelve_hours_after_login_however_active(clerk):
    client = logged_in(clerk)
    move_clock(client, **{LOGGED_IN_AT: 12 * 3600 + 60, SEEN_AT: 10})

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "logged out 12 hours after you logged in" in response.content.decode()


def test_the_limits_are_settings(clerk, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client = logged_in(clerk)
    move_clock(client, **{SEEN_AT: 6 * 60})

    response = client.get("/", follow=True)

    assert "logged out after 5 minutes without activity" in response.content.decode()


def test_an_ended_session_gets_401_from_the_api(clerk):
    client = logged_in(clerk)
    assert client.get("/api/v1/vendors").status_code == 200

    move_clock(client, **{SEEN_AT: 31 * 60})

    assert client.get("/api/v1/vendors").status_code == 401


def test_logging_in_again_starts_a_new_session_clock(clerk):
    client = logged_in(clerk)
    move_clock(client, **{LOGGED_IN_AT: 13 * 3600})
    client.get("/")
    client.post("/accounts/login/", {"username": "clerk", "password": PASSWORD})

    assert client.get("/vendors/").status_code == 200
