"""Which htmx requests get a fragment, and what the others get (core.htmx)."""

from django.test import Client, RequestFactory
from django.urls import reverse

from core.htmx import VARY_HEADERS, redirect_page, wants_partial
from tests.conftest import HTMX, htmx_fragment, whole_page


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_a_swap_asks_for_a_fragment(rf: RequestFactory):
    from django_htmx.middleware import HtmxDetails

    def request(**headers):
        made = rf.get("/vendors/", headers=headers)
        made.htmx = HtmxDetails(made)
        return made

    assert wants_partial(request(**HTMX))
    assert not wants_partial(request())
    assert not wants_partial(request(**HTMX, **{"HX-Boosted": "true"}))
    assert not wants_partial(request(**HTMX, **{"HX-History-Restore-Request": "true"}))
    assert not wants_partial(rf.get("/vendors/"))  # no middleware, no htmx


def test_boosted_navigation_and_history_restore_get_the_whole_page(clerk, vendor):
    client = logged_in(clerk)
    url = reverse("vendors:list")
    boosted = client.get(url, headers={**HTMX, "HX-Boosted": "true"})
    restored = client.get(url, headers={**HTMX, "HX-History-Restore-Request": "true"})
    for response in (boosted, restored):
        assert vendor.name in whole_page(response, region="vendor-list")
    swapped = client.get(url, headers=HTMX)
    assert vendor.name in htmx_fragment(swapped, region="vendor-list")


def test_page_and_fragment_vary_on_the_htmx_headers(clerk):
    response = logged_in(clerk).get(reverse("vendors:list"))
    for header in VARY_HEADERS:
        assert header in response["Vary"]


def test_going_to_another_page_from_a_fragment_is_a_full_page_load(rf):
    from django_htmx.middleware import HtmxDetails

    plain = rf.get("/invoices/new/")
    plain.htmx = HtmxDetails(plain)
    swap = rf.get("/invoices/new/", headers=HTMX)
    swap.htmx = HtmxDetails(swap)

    assert redirect_page(plain, "/invoices/new/?po=1").status_code == 302
    answer = redirect_page(swap, "/invoices/new/?po=1")
    assert answer.status_code == 200
    assert answer["HX-Redirect"] == "/invoices/new/?po=1"


def test_an_expired_session_sends_a_fragment_request_to_the_login_page(db):
    response = Client().get(reverse("vendors:list"), {"q": "ac"}, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login") + "?next=/vendors/")
    plain = Client().get(reverse("vendors:list"))
    assert plain.status_code == 302 and "HX-Redirect" not in plain


def test_an_expired_session_on_reconcile_now_logs_in_back_to_the_invoice_page(db):
    # "Reconcile now" takes only a POST: after logging in, the page it was on.
    response = Client().post(
        "/invoices/inv-1/reconcile/",
        headers={**HTMX, "HX-Current-URL": "http://testserver/invoices/inv-1/"},
    )
    assert response["HX-Redirect"] == reverse("login") + "?next=/invoices/inv-1/"


def test_a_refused_fragment_request_shows_the_error_page_as_the_content(clerk):
    client = logged_in(clerk)
    swapped = client.get(reverse("vendors:list"), {"cursor": "forged"}, headers=HTMX)
    assert swapped.status_code == 400
    assert "pagination cursor is not valid" in swapped.content.decode()
    assert swapped["HX-Retarget"] == "#content"
    assert swapped["HX-Reselect"] == "#content"
    assert swapped["HX-Reswap"] == "outerHTML"
    plain = client.get(reverse("vendors:list"), {"cursor": "forged"})
    assert plain.status_code == 400 and "HX-Retarget" not in plain
