"""The tax as a clerk and an approver see it: the printed-tax rows, the VAT breakdown."""

import datetime as dt
import html

from django.test import Client
from django.urls import reverse

from invoicing.reconciliation import invoice_reconcile
from invoicing.services import invoice_create
from invoicing.without_po import invoice_without_po_create

TODAY = dt.date.today().isoformat()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client, invoice) -> str:
    response = client.get(reverse("invoicing:detail", args=[invoice.id]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def coded_invoice(clerk, po, printed):
    return invoice_create(
        user=clerk, po_id=po.id, invoice_number="INV-1", invoice_date=TODAY,
        lines=[
            {"description": "Item 1", "quantity": "10", "unit_price": "100.00",
             "tax_code": "V19", "po_line_number": 1},
            {"description": "Item 2", "quantity": "5", "unit_price": "20.00",
             "tax_code": "V7", "po_line_number": 2},
        ],
        printed_tax=printed,
    )  # fmt: skip


def test_the_invoice_page_shows_the_vat_breakdown_and_the_tax_finding(
    clerk, approved_po, tax_codes
):
    invoice = coded_invoice(
        clerk,
        approved_po,
        [{"tax_code": "V19", "amount": "190.00"}, {"tax_code": "V7", "amount": "7.02"}],
    )
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    text = page(logged_in(clerk), invoice)
    assert "VAT breakdown" in text
    assert "Standard rate" in text
    for figure in ("1,000.00", "190.00", "100.00", "7.00", "7.02", "197.02"):
        assert figure in text
    assert "1,297.02" in text
    assert "TAX_VARIANCE" in text
    assert "Tax V7: printed 7.02, computed 7.00 (7% of 100.00)." in text


def test_an_invoice_without_tax_codes_shows_no_breakdown(clerk, approved_po):
    invoice = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="INV-1", invoice_date=TODAY,
        lines=[{"description": "a", "quantity": "10", "unit_price": "100.00"}],
        tax_amount="1.00",
    )  # fmt: skip
    assert "VAT breakdown" not in page(logged_in(clerk), invoice)


def test_an_approver_is_warned_of_the_tax_of_an_invoice_without_po(
    clerk, approver, active_vendor, tax_codes
):
    invoice = invoice_without_po_create(
        user=clerk, vendor_id=active_vendor.id, invoice_number="NP-1",
        invoice_date=TODAY,
        lines=[{"description": "Rent", "quantity": "1", "unit_price": "500.00",
                "tax_code": "V19", "gl_account": "4200", "cost_centre": "1000"}],
        printed_tax=[{"tax_code": "V19", "amount": "96.00"}],
    )  # fmt: skip
    text = page(logged_in(approver), invoice)
    assert invoice.status == "awaiting_approval"
    assert "Tax to check before approving" in text
    assert "Tax V19: printed 96.00, computed 95.00 (19% of 500.00)." in text
    assert "Approve" in text


def entry_data(po, **extra):
    data = {
        "invoice_number": "INV-9",
        "invoice_date": TODAY,
        "tax_amount": "0.00",
        "total_amount": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-po_line_number": "1",
        "lines-0-description": "Item 1",
        "lines-0-quantity": "10",
        "lines-0-unit_price": "100.00",
        "printed_tax-TOTAL_FORMS": "2",
        "printed_tax-INITIAL_FORMS": "0",
        "printed_tax-MIN_NUM_FORMS": "0",
        "printed_tax-MAX_NUM_FORMS": "20",
    }
    data.update(extra)
    return data


def test_the_entry_form_has_a_printed_tax_section(clerk, approved_po):
    response = logged_in(clerk).get(
        f"{reverse('invoicing:create')}?po={approved_po.id}"
    )
    text = response.content.decode()
    assert "<legend>Printed tax</legend>" in text
    assert 'name="printed_tax-0-tax_code"' in text
    assert 'name="printed_tax-1-amount"' in text


def test_printed_tax_for_lines_without_codes_is_refused_on_the_form(
    clerk, approved_po, tax_codes, settings
):
    settings.DEFAULT_TAX_CODE = ""  # no default: uncoded lines stay uncoded
    url = f"{reverse('invoicing:create')}?po={approved_po.id}"
    response = logged_in(clerk).post(
        url,
        entry_data(
            approved_po,
            **{"printed_tax-0-tax_code": "V19", "printed_tax-0-amount": "190.00"},
        ),
    )
    assert response.status_code == 422
    assert "Printed tax per code needs lines that name their tax code." in (
        html.unescape(response.content.decode())
    )


def test_blank_printed_tax_rows_enter_the_invoice_as_before(clerk, approved_po):
    url = f"{reverse('invoicing:create')}?po={approved_po.id}"
    response = logged_in(clerk).post(url, entry_data(approved_po, tax_amount="5.00"))
    assert response.status_code == 302
    text = html.unescape(logged_in(clerk).get(response["Location"]).content.decode())
    assert "1,005.00" in text


def test_the_correction_page_offers_the_codes_and_the_printed_tax_again(
    clerk, approved_po, tax_codes
):
    invoice = coded_invoice(clerk, approved_po, [{"tax_code": "V7", "amount": "7.02"}])
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    response = logged_in(clerk).get(reverse("invoicing:correct", args=[invoice.id]))
    text = response.content.decode()
    assert 'name="printed_tax-0-tax_code" value="V19"' in text
    assert 'name="printed_tax-1-tax_code" value="V7"' in text
    assert 'name="printed_tax-1-amount" value="7.02"' in text
