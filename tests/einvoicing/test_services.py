"""Taking in an e-invoice: as an invoice or credit note, or into the inbox."""

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal as D

import pytest
from django.urls import reverse

from accounting import journal
from audit.selectors import audit_history
from core import documents
from core.errors import Duplicate, PermissionDenied, ValidationFailed
from einvoicing.document import EInvoiceType, Party
from einvoicing.selectors import intake_list, source_fingerprint_get
from einvoicing.services import einvoice_take_in
from invoicing.models import queue_key
from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get, invoice_list_for_po
from reports.journal import journal_accounts, posted_document
from tests.einvoicing.factories import allowance, einvoice, line, received
from vendors.services import vendor_update


def take_in(user, document, **kwargs):
    return einvoice_take_in(
        user=user, received=received(document, **kwargs), einvoice=document
    )


def created_entry(invoice):
    (entry,) = [
        e
        for e in audit_history(entity_type="invoice", entity_id=invoice.id).items
        if e.action == "CREATE"
    ]
    return json.loads(entry.details_json)


def test_an_einvoice_naming_its_po_becomes_an_invoice_awaiting_reconciliation(
    clerk, einvoice_tax_codes, seller, seller_po
):
    po = seller_po()
    document = einvoice(order_reference=po.po_number, due_date=dt.date(2026, 12, 24))
    file = received(document)

    outcome = einvoice_take_in(user=clerk, received=file, einvoice=document)

    invoice = invoice_get(invoice_id=outcome.invoice.id)
    assert outcome.intake is None
    assert (invoice.invoice_number, invoice.po_number, invoice.vendor_id) == (
        "INV-1001", po.po_number, seller.id,
    )  # fmt: skip
    assert (invoice.status, invoice.queue) == (
        "received", queue_key(po_id=po.id, vendor_id=seller.id),
    )  # fmt: skip
    assert (invoice.net_total, invoice.tax_amount, invoice.total_amount) == (
        D("1100.00"), D("209.00"), D("1309.00"),
    )  # fmt: skip
    assert invoice.amount_due == D("1309.00")
    assert invoice.due_date == "2026-12-24"  # printed, not the vendor's Net 30
    assert [(t.tax_code, t.base, t.printed) for t in invoice.tax_lines] == [
        ("V19", D("1100.00"), D("209.00"))
    ]
    assert (invoice.einvoice_syntax, invoice.source_sha256) == ("ubl", file.sha256)
    with documents.document_open(key=invoice.einvoice_key) as stored:
        assert stored.read() == file.xml
    assert source_fingerprint_get(sha256=file.sha256).invoice_id == invoice.id
    source = created_entry(invoice)["source"]
    assert source["source_sha256"] == file.sha256
    assert (source["syntax"], source["specification"], source["warnings"]) == (
        "ubl", "urn:cen.eu:en16931:2017", 0,
    )  # fmt: skip


def test_the_imported_invoice_matches_its_po(
    clerk, einvoice_tax_codes, seller, seller_po
):
    po = seller_po()
    document = einvoice(
        order_reference=po.po_number,
        lines=[
            line(1, "5", "20.00", order_line_reference="2"),
            line(2, "10", "100.00", order_line_reference="1"),
        ],
    )

    invoice = take_in(clerk, document).invoice
    invoice_reconcile(invoice_id=invoice.id, user=clerk)

    invoice = invoice_get(invoice_id=invoice.id)
    assert [li.po_line_number for li in invoice.items] == [2, 1]
    assert invoice.status == "matched", invoice.report


def test_allowances_charges_and_negative_lines_keep_the_printed_totals(
    clerk, einvoice_tax_codes, seller, seller_po
):
    po = seller_po(("10", "100.00"), ("5", "20.00"), ("2", "10.00"))
    document = einvoice(
        order_reference=po.po_number,
        lines=[
            line(1, "10", "100.00"),
            line(2, "5", "20.00", net="95.00"),  # a line allowance of 5.00
            line(3, "-2", "10.00"),  # returned empties
        ],
        allowances=[
            allowance("50.00"),
            allowance("10.00", charge=True, reason="Freight"),
        ],
    )

    invoice = take_in(clerk, document).invoice

    assert [(li.kind, li.total_amount) for li in invoice.items] == [
        (None, D("1000.00")), (None, D("95.00")), (None, D("-20.00")),
        ("allowance", D("-50.00")), ("charge", D("10.00")),
    ]  # fmt: skip
    assert invoice.net_total == document.totals.net_total == D("1035.00")
    assert invoice.total_amount == document.totals.gross_total
    assert [(t.base, t.amount, t.printed) for t in invoice.tax_lines] == [
        (D("1035.00"), D("196.65"), D("196.65"))
    ]
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    invoice = invoice_get(invoice_id=invoice.id)
    # Paired by position, the allowance and charge with no PO line; the
    # discount (line and document) bills less than the PO: no variance.
    assert invoice.status == "matched", invoice.report
    entry = journal.document_entry(posted_document(invoice), journal_accounts())
    assert sum(li.debit for li in entry.lines) == sum(li.credit for li in entry.lines)
    costs = [li for li in entry.lines if li.role in ("expense", "suspense")]
    expense = sum(li.debit - li.credit for li in costs)
    assert expense == D("1035.00")


def test_a_vat_rate_without_tax_code_imports_uncoded_with_a_warning(
    clerk, tax_codes, seller, seller_po
):
    po = seller_po()
    document = einvoice(
        order_reference=po.po_number,
        lines=[line(1, "10", "100.00", rate="25"), line(2, "5", "20.00", rate="25")],
    )

    outcome = take_in(clerk, document)

    invoice = invoice_get(invoice_id=outcome.invoice.id)
    assert [li.tax_code for li in invoice.items] == [None, None]
    assert invoice.tax_lines is None
    assert (invoice.tax_amount, invoice.total_amount) == (D("275.00"), D("1375.00"))
    (note,) = outcome.notes
    assert note.startswith("No tax code for VAT category S at 25%: ")
    assert created_entry(invoice)["source"]["notes"] == [note]


def test_the_same_file_twice_is_refused_as_already_imported(
    clerk, einvoice_tax_codes, seller, seller_po
):
    po = seller_po()
    document = einvoice(order_reference=po.po_number)
    first = take_in(clerk, document).invoice

    with pytest.raises(Duplicate) as refused:
        take_in(clerk, document)

    assert refused.value.extra == {
        "already_imported": True,
        "existing_invoice_id": first.id,
    }


def test_another_file_with_the_vendors_number_is_a_duplicate_of_the_first(
    clerk, einvoice_tax_codes, seller, seller_po
):
    po = seller_po()
    first = take_in(clerk, einvoice(order_reference=po.po_number)).invoice
    again = einvoice(order_reference=po.po_number, number="inv 1001")
    file = received(again, tag="<Note>resent</Note>")

    with pytest.raises(Duplicate) as refused:
        einvoice_take_in(user=clerk, received=file, einvoice=again)

    assert refused.value.extra == {"existing_invoice_id": first.id}
    assert source_fingerprint_get(sha256=file.sha256) is None
    assert documents.document_keys(folder="einvoices") == [first.einvoice_key]


def test_a_seller_no_vendor_knows_waits_in_the_inbox(clerk, einvoice_tax_codes):
    document = einvoice(order_reference="PO-2026-000001")
    file = received(document)

    outcome = einvoice_take_in(user=clerk, received=file, einvoice=document)

    intake = outcome.intake
    assert outcome.invoice is None
    assert (intake.status, intake.inbox) == ("needs_vendor", "waiting")
    assert intake.reason == (
        "No vendor has VAT id NL820098395B01, IBAN NL91ABNA0417164300 or legal id "
        "57151520 (seller: Seller BV)."
    )
    assert [i.id for i in intake_list().items] == [intake.id]
    assert source_fingerprint_get(sha256=file.sha256).intake_id == intake.id
    (entry,) = audit_history(entity_type="einvoice_intake", entity_id=intake.id).items
    assert (entry.type, entry.action) == ("EINVOICE_ACTION", "CREATE")
    assert json.loads(entry.details_json)["source_sha256"] == file.sha256
    with pytest.raises(Duplicate) as refused:
        einvoice_take_in(user=clerk, received=file, einvoice=document)
    assert refused.value.extra == {
        "already_imported": True,
        "existing_intake_id": intake.id,
    }


def test_the_vendor_is_found_by_iban_then_by_legal_id(
    clerk, einvoice_tax_codes, make_vendor, requester, approver
):
    by_iban = make_vendor("By IBAN", iban="NL91ABNA0417164300")
    document = einvoice(seller=Party(name="Seller BV", legal_id="57151520"))
    assert take_in(clerk, document).intake.vendor_id == by_iban.id

    by_legal_id = make_vendor("By legal id", tax_id="12345678")
    other = einvoice(number="X-2", seller=Party(name="Other", legal_id="1234 5678"))
    other = replace(other, payment_accounts=())
    intake = take_in(clerk, other).intake
    assert (intake.status, intake.vendor_id) == ("needs_po", by_legal_id.id)
    assert intake.reason == (
        "The e-invoice names no PO (order reference, BT-13): pick the PO of By legal "
        "id it bills, or enter it without PO."
    )


def test_several_or_inactive_vendors_are_not_guessed(
    clerk, einvoice_tax_codes, make_vendor
):
    make_vendor("Twin A", iban="NL91ABNA0417164300")
    make_vendor("Twin B", iban="NL91ABNA0417164300")
    document = einvoice(seller=Party(name="Seller BV"))

    intake = take_in(clerk, document).intake

    assert intake.status == "needs_vendor"
    assert intake.reason == (
        "Several vendors have IBAN NL91ABNA0417164300 (Twin A, Twin B): the "
        "e-invoice cannot tell which one sent it."
    )

    sleeping = make_vendor("Sleeping BV", vat_id="NL820098395B01")
    vendor_update(vendor_id=sleeping.id, user=clerk, changes={"status": "inactive"})
    intake = take_in(clerk, einvoice(number="2")).intake
    assert intake.reason == (
        "The vendor with VAT id NL820098395B01, Sleeping BV, is inactive; no "
        "invoice is entered for it."
    )


def test_a_po_of_another_currency_or_vendor_is_not_used(
    clerk, einvoice_tax_codes, seller, seller_po, make_po
):
    po = seller_po()
    document = einvoice(order_reference=po.po_number, currency="USD")
    intake = take_in(clerk, document).intake
    assert intake.status == "needs_po"
    assert intake.reason == f"{po.po_number} is in EUR; the e-invoice is in USD."

    theirs = make_po()
    intake = take_in(
        clerk, einvoice(number="2", order_reference=theirs.po_number)
    ).intake
    assert intake.reason == f"Seller BV has no PO numbered {theirs.po_number}."


def test_a_credit_note_credits_the_invoice_it_names(
    clerk, einvoice_tax_codes, seller, seller_po
):
    po = seller_po()
    invoice = take_in(clerk, einvoice(order_reference=po.po_number)).invoice
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    credit = einvoice(
        number="CN-1",
        document_type=EInvoiceType.CREDIT_NOTE,
        lines=[line(1, "1", "100.00")],
        preceding_invoice="INV-1001",
    )

    credit_note = take_in(clerk, credit).invoice

    assert credit_note.document_type == "credit_note"
    assert (credit_note.credited_invoice_id, credit_note.po_id) == (invoice.id, po.id)
    assert credit_note.total_amount == D("119.00")


def test_only_a_clerk_takes_in_einvoices(requester, einvoice_tax_codes):
    with pytest.raises(PermissionDenied):
        take_in(requester, einvoice())
    assert intake_list().items == []


def test_nothing_is_kept_when_the_invoice_is_refused(
    clerk, einvoice_tax_codes, seller, seller_po
):
    po = seller_po()
    document = einvoice(order_reference=po.po_number, issue_date=dt.date(2099, 1, 1))

    with pytest.raises(ValidationFailed, match="highlighted"):
        take_in(clerk, document)

    assert documents.document_keys(folder="einvoices") == []
    assert source_fingerprint_get(sha256=received(document).sha256) is None
    assert invoice_list_for_po(po_id=po.id).items == []


def test_the_invoice_page_shows_the_allowance_and_charge_lines(
    client, clerk, einvoice_tax_codes, seller, seller_po
):
    po = seller_po()
    document = einvoice(
        order_reference=po.po_number,
        allowances=[
            allowance("50.00"),
            allowance("10.00", charge=True, reason="Freight"),
        ],
    )
    invoice = take_in(clerk, document).invoice
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    client.force_login(clerk)

    response = client.get(reverse("invoicing:detail", args=[invoice.id]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Allowance (Discount)" in html and "Charge (Freight)" in html
    assert "1,060.00" in html or "1060.00" in html
