"""
A form sent after the sign-in ended comes back, filled in, after the login;
a CSRF refusal of such a form leads there too (issue 14, item 2).
"""

from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from core import drafts
from tests.conftest import VALID_VENDOR, make_user
from vendors.selectors import vendor_list

PASSWORD = "pw-for-tests-1"
NEW_VENDOR = {
    **VALID_VENDOR,
    "name": "Bürobedarf Schmidt GmbH",
    "tax_id": "",
    "status": "pending",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
    "notes_password": "hunter2",
}


def vendor_form(**extra):
    return {k: v for k, v in {**NEW_VENDOR, **extra}.items() if v is not None}


def signed_in(client: Client, user) -> None:
    """Signed in and on a page, as a browser is after its login."""
    client.force_login(user)
    assert client.get("/").status_code == 200


def session_ended(client: Client) -> None:
    """The session is gone (expired, or ended elsewhere); the browser's other cookies stay."""
    del client.cookies[settings.SESSION_COOKIE_NAME]


def signs_in_again(client: Client, username: str) -> None:
    """Signing in through the login page (in another tab): the CSRF token rotates."""
    client.get(reverse("login"))
    response = client.post(
        reverse("login"),
        {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies[settings.CSRF_COOKIE_NAME].value,
        },
    )
    assert response.status_code == 302


def signed_out(client: Client) -> None:
    """What logging out in another tab does to this browser's session."""
    client.post(reverse("logout"))
    assert SESSION_KEY not in client.session


def log_in_at(client: Client, login_url: str, username: str):
    """Log in through the login page the redirect led to, following `next`."""
    page = client.get(login_url)
    assert page.status_code == 200
    return client.post(
        login_url, {"username": username, "password": PASSWORD}, follow=True
    )


def test_a_vendor_form_sent_after_logout_comes_back_filled_in_after_login(clerk):
    client = Client()
    signed_in(client, clerk)
    signed_out(client)

    response = client.post(reverse("vendors:create"), vendor_form())

    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith(reverse("login"))
    back_to = parse_qs(urlsplit(login_url).query)["next"][0]
    assert back_to.startswith(reverse("vendors:create") + "?draft=")
    login_page = client.get(login_url).content.decode()
    assert "You were signed out" in login_page
    assert "What you sent was not saved" in login_page

    form = log_in_at(client, login_url, "clerk")

    html = form.content.decode()
    assert form.redirect_chain[-1][0] == back_to
    assert "What you typed is back: check it and save again." in html
    assert 'value="Bürobedarf Schmidt GmbH"' in html
    assert 'value="DE89370400440532013000"' in html
    assert "hunter2" not in html  # anything named like a password is not kept
    assert vendor_list().items == []  # nothing saved until the user says so
    saved = client.post(back_to, vendor_form(), follow=True)
    assert "Vendor “Bürobedarf Schmidt GmbH” created." in saved.content.decode()


def test_a_draft_is_shown_once_only_in_its_own_browser_and_never_altered(clerk):
    client = Client()
    signed_in(client, clerk)
    session_ended(client)
    response = client.post(reverse("vendors:create"), vendor_form())
    back_to = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    kept = client.session[drafts.SESSION_KEY]
    (draft,) = kept.values()
    assert "csrfmiddlewaretoken" not in draft["fields"]
    assert "notes_password" not in draft["fields"]

    other_browser = Client()
    other_browser.force_login(clerk)
    assert "Bürobedarf" not in other_browser.get(back_to).content.decode()
    client.force_login(clerk)
    token = parse_qs(urlsplit(back_to).query)["draft"][0]
    altered = f"{reverse('vendors:create')}?draft={token[:-2]}xx"
    assert "Bürobedarf" not in client.get(altered).content.decode()
    assert "Bürobedarf" in client.get(back_to).content.decode()
    assert "Bürobedarf" not in client.get(back_to).content.decode()


def test_an_expired_or_oversized_draft_is_not_kept_and_the_page_says_so(
    clerk, settings
):
    client = Client()
    settings.FORM_DRAFT_MAX_BYTES = 500
    response = client.post(reverse("vendors:create"), vendor_form(address="x" * 600))
    login_page = client.get(response["Location"]).content.decode()
    assert "What you sent was not saved: send it again." in login_page
    assert drafts.SESSION_KEY not in client.session

    settings.FORM_DRAFT_MAX_BYTES = 64 * 1024
    response = client.post(reverse("vendors:create"), vendor_form())
    back_to = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    settings.FORM_DRAFT_MAX_AGE_SECONDS = -1
    client.force_login(clerk)
    assert "Bürobedarf" not in client.get(back_to).content.decode()


def test_a_logged_out_post_refused_by_csrf_leads_to_the_login_not_a_bare_403(clerk):
    client = Client(enforce_csrf_checks=True)
    signed_in(client, clerk)
    session_ended(client)
    # The browser's CSRF cookie went with the session: the form's token is stale.
    response = client.post(
        reverse("vendors:create"),
        vendor_form(csrfmiddlewaretoken="stale-token-from-the-old-page"),
        headers={"Sec-Fetch-Site": "same-origin"},
    )

    assert response.status_code == 302
    login_url = response["Location"]
    back_to = parse_qs(urlsplit(login_url).query)["next"][0]
    assert back_to.startswith(reverse("vendors:create") + "?draft=")
    assert "What you sent was not saved" in client.get(login_url).content.decode()
    client.force_login(clerk)
    html = client.get(back_to).content.decode()
    assert 'value="Bürobedarf Schmidt GmbH"' in html


def test_a_signed_in_user_with_a_stale_page_gets_the_form_back(clerk):
    client = Client(enforce_csrf_checks=True)
    signed_in(client, clerk)
    signs_in_again(client, "clerk")  # in another tab: a new token
    response = client.post(
        reverse("vendors:create"),
        vendor_form(csrfmiddlewaretoken="token-of-the-page-before"),
        headers={"Origin": "http://testserver"},
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("vendors:create") + "?draft=")
    html = client.get(response["Location"]).content.decode()
    assert "older than your latest sign-in" in html
    assert 'value="Bürobedarf Schmidt GmbH"' in html
    assert vendor_list().items == []


def test_a_draft_never_comes_back_to_someone_else_signing_in_at_that_browser(clerk):
    """A shared PC: clerk's session ended with the vendor form sent; the next
    person to sign in there is told nothing was saved, not shown the fields."""
    other = make_user("clerk2", "AP Clerk")
    client = Client()
    signed_in(client, clerk)
    session_ended(client)
    response = client.post(reverse("vendors:create"), vendor_form())
    back_to = parse_qs(urlsplit(response["Location"]).query)["next"][0]
    client.force_login(other)
    html = client.get(back_to).content.decode()
    assert "Bürobedarf" not in html and "DE89" not in html

    stale = Client(enforce_csrf_checks=True)
    signed_in(stale, clerk)
    signs_in_again(stale, "clerk2")  # someone else, in another tab
    response = stale.post(
        reverse("vendors:create"),
        vendor_form(csrfmiddlewaretoken="clerks-page-before"),
        headers={"Origin": "http://testserver"},
    )
    assert response.status_code == 302
    assert "Bürobedarf" not in stale.get(response["Location"]).content.decode()


def test_a_cross_site_post_is_refused_with_403_and_nothing_is_kept(clerk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    response = client.post(
        reverse("vendors:create"),
        vendor_form(),
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert "its security check failed" in response.content.decode()
    assert drafts.SESSION_KEY not in client.session


def test_a_form_whose_page_shows_no_draft_says_nothing_was_saved(requester):
    client = Client()
    response = client.post(
        reverse("purchasing:create"),
        {"vendor_id": "x", "notes": "ten toner cartridges"},
        headers={"Referer": "http://testserver/purchase-orders/new/?vendor=v1"},
    )
    login_url = response["Location"]
    back_to = parse_qs(urlsplit(login_url).query)["next"][0]
    assert back_to == "/purchase-orders/new/?vendor=v1"
    page = client.get(login_url).content.decode()
    assert "What you sent was not saved: send it again." in page
