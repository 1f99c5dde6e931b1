"""Invoice pages: entry from a PO, the report table, exceptions, correct and void."""

import datetime as dt
import re

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get, invoice_list
from invoicing.services import invoice_create
from purchasing.services import (
    purchase_order_approve,
    purchase_order_cancel,
    purchase_order_send,
)
from tests.conftest import HTMX, VALID_VENDOR, htmx_fragment, htmx_next_page, whole_page
from vendors.services import vendor_create

TODAY = dt.date.today().isoformat()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(po, number, prices=("100.00", "20.00"), **extra):
    data = {
        "invoice_number": number,
        "invoice_date": TODAY,
        "tax_amount": "0.00",
        "total_amount": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, (line, price) in enumerate(zip(po.items, prices, strict=True)):
        data[f"lines-{index}-po_line_number"] = str(line.line_number)
        data[f"lines-{index}-description"] = line.description
        data[f"lines-{index}-quantity"] = str(line.quantity)
        data[f"lines-{index}-unit_price"] = price
    data.update(extra)
    return data


def test_po_search_leads_to_a_form_prefilled_with_the_po_lines(clerk, approved_po):
    client = logged_in(clerk)
    response = client.get(
        reverse("invoicing:create"), {"q": approved_po.po_number.lower()}
    )
    assert response.status_code == 302
    form = client.get(response["Location"]).content.decode()
    assert f"Invoice against {approved_po.po_number}" in form
    assert 'value="Item 1"' in form and 'value="100.00"' in form
    missing = client.get(
        reverse("invoicing:create"), {"q": "PO-1999-000001"}
    ).content.decode()
    assert "No purchase order has the number" in missing


def test_clerk_enters_and_reconciles_an_invoice_and_sees_the_findings(
    clerk, approved_po
):
    client = logged_in(clerk)
    url = f"{reverse('invoicing:create')}?po={approved_po.id}"
    response = client.post(
        url, form_data(approved_po, "INV-1", ("103.00", "20.00")), follow=True
    )
    assert "Invoice INV-1 entered" in response.content.decode()
    (invoice,) = invoice_list().items
    result = client.post(reverse("invoicing:reconcile", args=[invoice.id]), follow=True)
    html = result.content.decode()
    assert "was rejected with 2 finding(s)" in html
    assert "PRICE_VARIANCE" in html and "TOTAL_VARIANCE" in html
    assert 'class="finding"' in html
    exceptions = client.get(reverse("invoicing:exceptions")).content.decode()
    assert "INV-1" in exceptions and "unit price 103.00 differs" in exceptions


def test_htmx_reconcile_gets_the_report_in_place_a_plain_request_the_page(
    clerk, approved_po
):
    lines = [{"description": "x", "quantity": "1", "po_line_number": 1}]
    rejected, matched = (
        invoice_create(
            user=clerk,
            po_id=approved_po.id,
            invoice_number=number,
            invoice_date=TODAY,
            lines=[{**lines[0], "unit_price": price}],
        )  # fmt: skip
        for number, price in (("INV-R", "103.00"), ("INV-M", "100.00"))
    )
    client = logged_in(clerk)

    swapped = client.post(
        reverse("invoicing:reconcile", args=[rejected.id]), headers=HTMX
    )
    again = client.post(
        reverse("invoicing:reconcile", args=[rejected.id]), headers=HTMX
    )
    plain = client.post(reverse("invoicing:reconcile", args=[matched.id]))

    html = htmx_fragment(swapped, region="reconciliation")
    assert "was rejected with 2 finding(s)" in html  # the message, out of band
    assert '<tr class="finding"><td><strong>PRICE_VARIANCE</strong>' in html
    assert re.search(r'<div id="invoice-heading"[^>]* hx-swap-oob="true"', html)
    assert ">Rejected<" in html and "Reconcile now" not in html
    assert (
        f'name="version" value="{invoice_get(invoice_id=rejected.id).version}"' in html
    )
    assert re.search(r'<section id="invoice-history" hx-swap-oob="true">', html)
    assert "<td>RECONCILE</td>" in html
    refused = htmx_fragment(again, region="reconciliation")
    assert 'class="error"' in refused and "PRICE_VARIANCE" in refused
    assert plain.status_code == 302
    page = whole_page(client.get(plain["Location"]), region="reconciliation")
    assert "Invoice INV-M matched its PO." in page
    assert "No findings: the invoice matches its PO." in page


def test_duplicate_number_shows_a_link_to_the_existing_invoice(clerk, approved_po):
    first = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="INV-0042", invoice_date=TODAY,
        lines=[{"description": "x", "quantity": "1", "unit_price": "100.00"}],
    )  # fmt: skip
    response = logged_in(clerk).post(
        f"{reverse('invoicing:create')}?po={approved_po.id}",
        form_data(approved_po, "inv 42"),
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "already entered as INV-0042" in html
    assert f'href="{reverse("invoicing:detail", args=[first.id])}"' in html


def test_rejected_invoice_is_corrected_then_voided(clerk, approved_po):
    invoice = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="INV-5", invoice_date=TODAY,
        lines=[{"description": "x", "quantity": "10", "unit_price": "103.00"},
               {"description": "y", "quantity": "5", "unit_price": "20.00"}],
    )  # fmt: skip
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    client = logged_in(clerk)
    stored = invoice_get(invoice_id=invoice.id)
    response = client.post(
        reverse("invoicing:correct", args=[invoice.id]),
        form_data(approved_po, "INV-5", version=str(stored.version)),
        follow=True,
    )
    assert "corrected and back in the reconciliation queue" in response.content.decode()
    stored = invoice_get(invoice_id=invoice.id)
    assert stored.status == "received"
    response = client.post(
        reverse("invoicing:void", args=[invoice.id]),
        {"reason": "Vendor cancelled it", "version": str(stored.version)},
        follow=True,
    )
    assert "is void; its number is free" in response.content.decode()
    assert invoice_get(invoice_id=invoice.id).status == "void"


def test_roles_without_invoice_rights_see_no_buttons(requester, clerk, approved_po):
    invoice = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="INV-6", invoice_date=TODAY,
        lines=[{"description": "x", "quantity": "1", "unit_price": "100.00"}],
    )  # fmt: skip
    client = logged_in(requester)
    html = client.get(reverse("invoicing:detail", args=[invoice.id])).content.decode()
    assert "Reconcile now" not in html and "Void this invoice" not in html
    assert (
        client.post(reverse("invoicing:reconcile", args=[invoice.id])).status_code
        == 302
    )
    assert invoice_get(invoice_id=invoice.id).status == "received"
    assert client.get(reverse("invoicing:create")).status_code == 403


def test_po_page_lists_its_invoices(clerk, approved_po):
    invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="INV-77", invoice_date=TODAY,
        lines=[{"description": "x", "quantity": "1", "unit_price": "100.00"}],
    )  # fmt: skip
    html = (
        logged_in(clerk)
        .get(reverse("purchasing:detail", args=[approved_po.id]))
        .content.decode()
    )
    assert "INV-77" in html and "Enter an invoice" in html


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_the_vendors_pdf_is_kept_and_downloadable_through_the_app(
    clerk, approved_po, media
):
    client = logged_in(clerk)
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    data = form_data(approved_po, "INV-PDF", attachment=upload("rechnung.pdf", pdf))
    response = client.post(
        f"{reverse('invoicing:create')}?po={approved_po.id}", data, follow=True
    )
    assert "rechnung.pdf" in response.content.decode()
    (invoice,) = invoice_list().items
    download = client.get(reverse("invoicing:attachment", args=[invoice.id]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == pdf
    assert 'attachment; filename="rechnung.pdf"' in download["Content-Disposition"]


def test_a_non_pdf_pdf_and_a_50_mb_file_are_refused_and_nothing_is_kept(
    clerk, approved_po, media
):
    client = logged_in(clerk)
    url = f"{reverse('invoicing:create')}?po={approved_po.id}"
    fake = client.post(
        url, form_data(approved_po, "INV-A", attachment=upload("x.pdf", b"MZ\x90\x00"))
    )
    assert fake.status_code == 422
    assert "named .pdf but is not a PDF" in fake.content.decode()
    big = client.post(
        url,
        form_data(
            approved_po,
            "INV-B",
            attachment=upload("big.pdf", b"%PDF-" + b"0" * (50 * 1024 * 1024)),
        ),
    )
    assert big.status_code == 422
    assert "attachments are at most 10 MB" in big.content.decode()
    assert invoice_list().items == []
    assert not any(media.rglob("*.pdf"))


# --- Finding invoices: vendor and entered-date filters ---------------------


def listed_numbers(html: str) -> list[str]:
    """The invoice numbers in the list's rows, top to bottom."""
    return re.findall(r'<td[^>]*><a href="/invoices/[^/"]+/">([^<]+)</a></td>', html)


def test_vendor_filter_lists_only_that_vendors_invoices_newest_first(
    clerk, dated_invoices, active_vendor, other_vendor
):
    client = logged_in(clerk)

    everyone = client.get(reverse("invoicing:list")).content.decode()
    acme = client.get(reverse("invoicing:list"), {"vendor": active_vendor.id})
    globex = client.get(reverse("invoicing:list"), {"vendor": other_vendor.id})

    assert f'<option value="{other_vendor.id}">Globex Ltd</option>' in everyone
    assert listed_numbers(acme.content.decode()) == ["ACME-MAR", "ACME-FEB", "ACME-JAN"]
    assert listed_numbers(globex.content.decode()) == ["GLOBEX-FEB"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"submitted_from": "2026-02-01", "submitted_to": "2026-02-28"},
            ["ACME-FEB", "GLOBEX-FEB"],
        ),
        ({"submitted_from": "2026-02-10"}, ["ACME-MAR", "ACME-FEB", "GLOBEX-FEB"]),
        ({"submitted_to": "2026-02-09"}, ["ACME-JAN"]),
        ({"submitted_from": "2026-03-11"}, []),
    ],
)
def test_entered_date_range_leaves_out_invoices_outside_it(
    clerk, dated_invoices, params, expected
):
    response = logged_in(clerk).get(reverse("invoicing:list"), params)

    assert response.status_code == 200
    assert sorted(listed_numbers(response.content.decode())) == sorted(expected)


def test_vendor_status_and_date_range_combine(clerk, dated_invoices, active_vendor):
    invoice_reconcile(invoice_id=dated_invoices["ACME-FEB"].id, user=clerk)
    params = {"vendor": active_vendor.id, "submitted_from": "2026-02-01"}
    client = logged_in(clerk)

    both = client.get(reverse("invoicing:list"), params).content.decode()
    matched = client.get(
        reverse("invoicing:list"), {**params, "status": "matched"}
    ).content.decode()

    assert listed_numbers(both) == ["ACME-MAR", "ACME-FEB"]
    assert listed_numbers(matched) == ["ACME-FEB"]


def next_link(html: str) -> str | None:
    found = re.search(r'<a href="\?([^"]+)" rel="next"', html)
    return found and found.group(1).replace("&amp;", "&")


def test_pages_of_a_filtered_list_keep_the_filters(
    clerk, dated_invoices, active_vendor, other_vendor, settings
):
    settings.PAGE_SIZE = 1
    client = logged_in(clerk)
    url = reverse("invoicing:list")

    first = client.get(url, {"vendor": active_vendor.id, "submitted_to": "2026-02-28"})
    second = client.get(f"{url}?{next_link(first.content.decode())}")

    assert listed_numbers(first.content.decode()) == ["ACME-FEB"]
    assert listed_numbers(second.content.decode()) == ["ACME-JAN"]
    assert next_link(second.content.decode()) is None
    cursor = QueryDict(next_link(first.content.decode()))["cursor"]
    for other_filters in (
        {"vendor": active_vendor.id, "submitted_to": "2026-03-31"},
        {"vendor": other_vendor.id, "submitted_to": "2026-02-28"},
    ):
        other = client.get(url, {**other_filters, "cursor": cursor})
        assert other.status_code == 400
        assert "The pagination cursor is not valid" in other.content.decode()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"submitted_from": "2026-13-01"}, "submitted_from", "Enter a valid date."),
        ({"submitted_to": "10/02/2026x"}, "submitted_to", "Enter a valid date."),
        (
            {"submitted_from": "2026-02-01", "submitted_to": "2026-01-31"},
            "submitted_to",
            "The end date is before the start date.",
        ),
        ({"vendor": "no-such-vendor"}, "vendor", "Select a valid choice."),
    ],
)
def test_bad_filter_shows_an_error_beside_the_field_and_no_list(
    clerk, dated_invoices, params, field, message
):
    response = logged_in(clerk).get(reverse("invoicing:list"), params)

    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(rf'id="id_{field}_error"><li>{re.escape(message)}', html)
    assert listed_numbers(html) == []
    assert "No invoice matches these filters" not in html


def test_htmx_filters_and_pages_get_the_invoice_list_alone_a_plain_request_the_page(
    clerk, dated_invoices, active_vendor, settings
):
    settings.PAGE_SIZE = 1
    client = logged_in(clerk)
    url = reverse("invoicing:list")
    params = {"vendor": active_vendor.id, "submitted_to": "2026-02-28"}

    first = htmx_fragment(client.get(url, params, headers=HTMX), region="invoice-list")
    second = client.get(f"{url}?{next_link(first)}", headers=HTMX)
    bad = client.get(url, {"submitted_from": "2026-13-01"}, headers=HTMX)
    page = whole_page(client.get(url, params), region="invoice-list")

    assert listed_numbers(first) == ["ACME-FEB"]
    assert listed_numbers(htmx_fragment(second, region="invoice-list")) == ["ACME-JAN"]
    assert bad.status_code == 400
    assert 'id="id_submitted_from_error"' in htmx_fragment(bad, region="invoice-list")
    assert listed_numbers(page) == ["ACME-FEB"] and "<h1>Invoices</h1>" in page


# --- Entering an invoice: choosing the PO by vendor ------------------------


def test_po_picker_lists_the_vendors_approved_and_sent_pos_with_entry_links(
    clerk, requester, approver, make_po, other_po, active_vendor
):
    approved = make_po()
    purchase_order_approve(po_id=approved.id, user=approver)
    sent = make_po()
    purchase_order_approve(po_id=sent.id, user=approver)
    purchase_order_send(po_id=sent.id, user=requester)
    pending = make_po()
    cancelled = make_po()
    purchase_order_cancel(po_id=cancelled.id, user=requester, reason="Not needed")
    client = logged_in(clerk)

    html = client.get(
        reverse("invoicing:create"), {"vendor": active_vendor.id}
    ).content.decode()

    links = re.findall(
        r'href="/invoices/new/\?po=([^"]+)">Enter invoice for this PO', html
    )
    assert links == [sent.id, approved.id]
    assert sent.po_number in html and approved.po_number in html
    for absent in (pending, cancelled, other_po):
        assert absent.po_number not in html
    assert "EUR" in html and "1,100.00" in html
    form = client.get(f"{reverse('invoicing:create')}?po={links[0]}").content.decode()
    assert f"Invoice against {sent.po_number}" in form


def test_htmx_po_picker_gets_the_picker_alone_a_plain_request_the_page(
    clerk, make_po, approver, other_po, active_vendor, settings
):
    settings.PAGE_SIZE = 1
    first, second = (
        purchase_order_approve(po_id=make_po().id, user=approver) for _ in range(2)
    )
    client = logged_in(clerk)
    url = reverse("invoicing:create")

    by_vendor = client.get(url, {"vendor": active_vendor.id}, headers=HTMX)
    html = htmx_fragment(by_vendor, region="po-picker")
    older = client.get(htmx_next_page(url, html), headers=HTMX)
    missing = client.get(url, {"q": "PO-1999-000001"}, headers=HTMX)
    found = client.get(url, {"q": first.po_number}, headers=HTMX)
    page = client.get(url, {"vendor": active_vendor.id})

    assert f"?po={second.id}" in html and first.po_number not in html
    assert "More POs of Acme Supplies GmbH »</a>" in html
    assert other_po.po_number not in html
    older_html = htmx_fragment(older, region="po-picker")
    assert f"?po={first.id}" in older_html and second.po_number not in older_html
    not_found = htmx_fragment(missing, region="po-picker")
    assert "No purchase order has the number" in not_found
    # Choosing a PO goes to another page: a full page load, not a swap.
    assert found.status_code == 200
    assert found["HX-Redirect"] == f"{url}?po={first.id}"
    page_html = whole_page(page, region="po-picker")
    assert f"?po={second.id}" in page_html and "which PO does it bill?" in page_html


def test_vendor_without_an_invoiceable_po_is_told_what_to_do(
    clerk, make_po, other_vendor, other_po, active_vendor
):
    make_po()  # pending: not invoiceable
    client = logged_in(clerk)

    acme = client.get(reverse("invoicing:create"), {"vendor": active_vendor.id})
    fresh = vendor_create(
        user=clerk,
        fields={**VALID_VENDOR, "name": "<b>New & Co</b>", "status": "active"},
    )
    no_pos = client.get(reverse("invoicing:create"), {"vendor": fresh.id})

    assert (
        "Acme Supplies GmbH has no approved or sent purchase order to invoice"
        in acme.content.decode()
    )
    assert "Enter invoice for this PO" not in acme.content.decode()
    html = no_pos.content.decode()
    assert (
        "&lt;b&gt;New &amp; Co&lt;/b&gt; has no approved or sent purchase order" in html
    )
    assert "<b>New" not in html
    assert "ask the requester to raise the PO" in html


def test_a_second_invoice_is_prefilled_with_only_the_lines_left_to_bill(
    clerk, approved_po
):
    # Bill line 1 in full (10 x 100.00); line 2 (5 x 20.00) is still open.
    first = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="PART-1",
        invoice_date=TODAY, lines=[{"description": "Item 1", "quantity": "10",
                                    "unit_price": "100.00", "po_line_number": 1}],
    )  # fmt: skip
    invoice_reconcile(invoice_id=first.id, user=clerk)
    page = logged_in(clerk).get(f"{reverse('invoicing:create')}?po={approved_po.id}")
    formset = page.context["formset"]
    assert [f.initial["po_line_number"] for f in formset.forms] == [2]
    assert formset.forms[0].initial["quantity"] == 5


def test_an_invoice_number_guard_kept_in_the_table_is_not_an_invoice(
    clerk, approved_po
):
    invoice = invoice_create(
        user=clerk,
        po_id=approved_po.id,
        invoice_number="INV-77",
        invoice_date=dt.date.today(),
        lines=[{"description": "x", "quantity": "1", "unit_price": "100.00"}],
    )
    guard_id = f"number#{invoice.vendor_id}#{invoice.number_key}"
    response = logged_in(clerk).get(reverse("invoicing:detail", args=[guard_id]))
    assert response.status_code == 404
