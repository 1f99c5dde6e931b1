"""The header's search: what a user finds by typing a name or a number."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from pynamodb.connection import Connection

from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve
from tests.conftest import VALID_VENDOR, po_lines
from vendors.services import vendor_create

TODAY = dt.date.today().isoformat()


def search(user, text):
    client = Client()
    client.force_login(user)
    return client.get(reverse("search"), {"q": text})


def found(response, *texts):
    """Assert each text is on the results page; return their positions in order."""
    html = response.content.decode()
    assert response.status_code == 200
    positions = [html.find(text) for text in texts]
    assert -1 not in positions, [
        t for t, p in zip(texts, positions, strict=True) if p == -1
    ]
    return positions


def link(view, record_id):
    return f'href="{reverse(view, args=[record_id])}"'


@pytest.fixture(autouse=True)
def no_scans(monkeypatch):
    """Search reads indexes only: a table scan fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("search scanned a table")

    monkeypatch.setattr(Connection, "scan", refuse)


@pytest.fixture
def approved_po(make_po, approver):
    po = make_po()
    purchase_order_approve(po_id=po.id, user=approver)
    return po


def enter_invoice(clerk, po, number):
    return invoice_create(
        user=clerk,
        po_id=po.id,
        invoice_number=number,
        invoice_date=TODAY,
        lines=po_lines(("10", "100.00"), ("5", "20.00")),
    )


def test_a_po_is_found_by_its_exact_number_in_any_case(make_po, auditor):
    first, second = make_po(), make_po()
    response = search(auditor, first.po_number.lower())

    found(response, link("purchasing:detail", first.id), "Exact match")
    assert link("purchasing:detail", second.id) not in response.content.decode()


def test_pos_are_found_by_the_start_of_their_number(make_po, auditor):
    first, second = make_po(), make_po()
    prefix = first.po_number[:-1]  # PO-2026-00000
    response = search(auditor, prefix.lower())

    found(
        response,
        link("purchasing:detail", first.id),
        link("purchasing:detail", second.id),
    )
    assert "Exact match" not in response.content.decode()


def test_a_vendor_is_found_by_the_start_of_its_name_in_any_case(active_vendor, auditor):
    response = search(auditor, "aCME sup")
    found(response, link("vendors:detail", active_vendor.id), "Acme Supplies GmbH")


def test_an_invoice_is_found_by_its_number_in_another_spelling(
    approved_po, clerk, auditor
):
    invoice = enter_invoice(clerk, approved_po, "INV-0042")
    for text in ("inv 42", "INV/42", "INV-00", "inv4"):
        found(search(auditor, text), link("invoicing:detail", invoice.id), "INV-0042")


def test_the_exact_number_is_listed_before_those_it_only_begins(
    approved_po, clerk, auditor
):
    exact = enter_invoice(clerk, approved_po, "INV-1")  # entered first: oldest
    longer = enter_invoice(clerk, approved_po, "INV-10")
    longest = enter_invoice(clerk, approved_po, "INV-100")
    positions = found(
        search(auditor, "inv-1"),
        link("invoicing:detail", exact.id),
        link("invoicing:detail", longer.id),
        link("invoicing:detail", longest.id),
    )
    assert positions == sorted(positions)


def test_the_kind_holding_an_exact_match_is_listed_first(approved_po, clerk, auditor):
    vendor = vendor_create(
        user=clerk,
        fields={**VALID_VENDOR, "name": "INV-7 Logistics", "tax_id": None},
    )
    invoice = enter_invoice(clerk, approved_po, "INV-7")
    positions = found(
        search(auditor, "INV-7"),
        link("invoicing:detail", invoice.id),
        link("vendors:detail", vendor.id),
    )
    assert positions == sorted(positions)


def test_nothing_found_says_what_was_searched(active_vendor, auditor):
    html = search(auditor, "Zebra").content.decode()
    assert "Nothing found for “Zebra”." in html
    assert (
        "Searched vendor names, tax ids and bank accounts (the whole IBAN or account "
        "number) and the numbers of purchase orders, invoices and payment runs, "
        "matching the start of each word or part of a number" in html
    )


def test_an_empty_search_explains_what_to_type(auditor):
    html = search(auditor, "   ").content.decode()
    assert "Type a vendor's name, or the number of a purchase order" in html


def test_a_search_too_long_is_refused_with_a_message(auditor):
    response = search(auditor, "PO-" + "9" * 200)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Search for at most 100 characters (this has 203)" in html


def test_user_text_on_the_results_page_is_escaped(clerk, auditor):
    vendor_create(
        user=clerk,
        fields={**VALID_VENDOR, "name": "<b>Bold</b> & Sons", "tax_id": None},
    )
    html = search(auditor, "<b>bold").content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Sons" in html
    assert "“&lt;b&gt;bold”" in html  # the text searched for, echoed
    assert "<b>" not in html


def test_every_role_may_search_and_a_user_without_a_role_may_not(
    active_vendor, auditor, requester, nobody
):
    for user in (auditor, requester):
        found(search(user, "acme"), link("vendors:detail", active_vendor.id))
    assert search(nobody, "acme").status_code == 403


def test_every_page_has_the_search_box_and_the_results_page_fills_it(auditor):
    client = Client()
    client.force_login(auditor)
    page = client.get(reverse("vendors:list")).content.decode()
    assert f'action="{reverse("search")}"' in page and 'name="q"' in page
    results = client.get(reverse("search"), {"q": "PO-42"}).content.decode()
    assert 'name="q" value="PO-42"' in results
