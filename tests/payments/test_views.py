"""Payment run pages: what a treasurer, an approver and an auditor see and click."""

import pytest
from django.test import Client
from django.urls import reverse

from invoicing.selectors import invoice_get
from payments.selectors import payment_run_get, payment_run_list
from payments.services import payment_run_approve, payment_run_create
from tests.conftest import (
    EUR_IBAN_1,
    HTMX,
    TODAY,
    htmx_fragment,
    htmx_next_page,
    whole_page,
)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def due(three_vendors, matched_invoice):
    return [matched_invoice(vendor) for vendor in three_vendors]


def build_page(client, **query):
    return client.get(
        reverse("payments:create"),
        {"payment_date": TODAY.isoformat(), "currency": "", **query},
    )


def test_treasurer_builds_from_the_proposal_unticking_one_invoice(treasurer, due):
    client = logged_in(treasurer)
    page = build_page(client)
    assert page.status_code == 200
    html = page.content.decode()
    for invoice in due:
        assert invoice.invoice_number in html
    assert "Total of the ticked invoices (EUR)" in html
    assert "Total of the ticked invoices (USD)" in html
    response = client.post(
        reverse("payments:create"),
        {
            "payment_date": TODAY.isoformat(),
            "currency": "",
            "invoice_ids": [due[0].id, due[2].id],
            "idempotency_key": "form-key-1",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "built with 2 invoices" in response.content.decode()
    assert invoice_get(invoice_id=due[1].id).status == "matched"
    # A double-submitted form builds nothing twice.
    client.post(
        reverse("payments:create"),
        {
            "payment_date": TODAY.isoformat(),
            "currency": "",
            "invoice_ids": [due[0].id, due[2].id],
            "idempotency_key": "form-key-1",
        },
    )
    assert len(payment_run_list().items) == 1


def test_blocking_vendor_is_named_and_its_invoice_cannot_be_ticked(
    treasurer, make_vendor, matched_invoice
):
    no_bank = make_vendor("No Bank <b>Inc</b>")
    matched_invoice(no_bank)
    html = build_page(logged_in(treasurer)).content.decode()
    assert "Vendors that cannot be paid" in html
    assert "No Bank &lt;b&gt;Inc&lt;/b&gt;" in html and "<b>Inc</b>" not in html
    assert "No bank details are on file." in html
    assert "disabled" in html


def test_a_past_date_is_an_error_beside_the_field(treasurer, due):
    page = build_page(logged_in(treasurer), payment_date="2020-01-01")
    assert page.status_code == 200
    assert "in the past" in page.content.decode()


def test_empty_states_say_what_to_do(treasurer, approver):
    assert (
        "Build the first one"
        in logged_in(treasurer).get(reverse("payments:list")).content.decode()
    )
    assert (
        "No matched invoice is due" in build_page(logged_in(treasurer)).content.decode()
    )
    assert logged_in(approver).get(reverse("payments:create")).status_code == 403


def test_buttons_follow_the_roles_and_the_files_download_for_auditors(
    treasurer, approver, auditor, due
):
    client = logged_in(treasurer)
    client.post(
        reverse("payments:create"),
        {
            "payment_date": TODAY.isoformat(),
            "currency": "",
            "invoice_ids": [i.id for i in due],
            "idempotency_key": "k2",
        },
    )
    run = payment_run_list().items[0]
    detail = reverse("payments:detail", args=[run.id])
    assert "you built this run" in client.get(detail).content.decode()
    approver_page = logged_in(approver).get(detail).content.decode()
    assert "Approve this run" in approver_page
    # Full account numbers are for the roles that pay and audit vendors.
    assert EUR_IBAN_1 not in approver_page and EUR_IBAN_1[-4:] in approver_page
    assert EUR_IBAN_1 in client.get(detail).content.decode()
    response = logged_in(approver).post(
        reverse("payments:approve", args=[run.id]),
        {"version": run.version},
        follow=True,
    )
    assert f"Payment run {run.number} approved." in response.content.decode()
    run = payment_run_get(run_id=run.id)
    response = client.post(
        reverse("payments:export", args=[run.id]), {"version": run.version}, follow=True
    )
    html = response.content.decode()
    assert "ready to download" in html and "pain001-EUR.xml" in html
    download = logged_in(auditor).get(
        reverse("payments:file", args=[run.id, "pain001-EUR.xml"])
    )
    assert download.status_code == 200
    assert b"<MsgId>" + run.number.encode() + b"-EUR-" in b"".join(
        download.streaming_content
    )
    assert (
        logged_in(approver)
        .get(reverse("payments:file", args=[run.id, "pain001-EUR.xml"]))
        .status_code
        == 403
    )
    run = payment_run_get(run_id=run.id)
    client.post(reverse("payments:confirm", args=[run.id]), {"version": run.version})
    assert [invoice_get(invoice_id=i.id).status for i in due] == ["paid"] * 3
    history = client.get(detail).content.decode()
    for action in ("CREATE", "APPROVE", "EXPORT", "CONFIRM"):
        assert action in history


def test_htmx_filter_and_pages_get_the_run_list_alone_a_plain_request_the_page(
    treasurer, approver, due, settings
):
    settings.PAGE_SIZE = 1
    first, second, third = (
        payment_run_create(user=treasurer, payment_date=TODAY, invoice_ids=[i.id]).run
        for i in due
    )
    payment_run_approve(run_id=second.id, user=approver)
    client = logged_in(treasurer)
    url = reverse("payments:list")

    drafts = client.get(url, {"status": "draft"}, headers=HTMX)
    html = htmx_fragment(drafts, region="run-list")
    older = client.get(htmx_next_page(url, html), headers=HTMX)
    page = whole_page(client.get(url, {"status": "draft"}), region="run-list")

    assert third.number in html and first.number not in html
    assert second.number not in html
    older_html = htmx_fragment(older, region="run-list")
    assert first.number in older_html and third.number not in older_html
    assert third.number in page and "<h1>Payment runs</h1>" in page


def test_unknown_run_is_a_404(treasurer):
    assert logged_in(treasurer).get("/payment-runs/nope/").status_code == 404


def test_an_idempotency_record_kept_in_the_table_is_not_a_run(treasurer, due):
    payment_run_create(
        user=treasurer, payment_date=TODAY, idempotency_key="weekly-2026-48"
    )
    record_id = f"idempotency#{treasurer.username}#weekly-2026-48"
    response = logged_in(treasurer).get(
        f"/payment-runs/{record_id.replace('#', '%23')}/"
    )
    assert response.status_code == 404
