"""The inbox: e-invoices waiting for their vendor or PO, and how a clerk resolves them."""

import json
from decimal import Decimal as D

import pytest

from audit.selectors import audit_history
from core.errors import Duplicate, InvalidTransition, StaleRecord, ValidationFailed
from einvoicing.selectors import (
    intake_einvoice,
    intake_get,
    intake_list,
    intake_vendor_initial,
    source_fingerprint_get,
)
from einvoicing.services import (
    einvoice_import,
    intake_assign_po,
    intake_discard,
    intake_retry,
    intake_without_po,
)
from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.einvoicing.samples import sample_bytes
from vendors.services import vendor_update

EXAMPLE1 = "ubl-tc434-example1.xml"  # Seller NL820098395B01, no order reference


def import_sample(user, name=EXAMPLE1):
    return einvoice_import(user=user, filename=name, content=sample_bytes(name))


def entries(intake, action=None):
    found = audit_history(entity_type="einvoice_intake", entity_id=intake.id).items
    return [e for e in found if action is None or e.action == action]


@pytest.fixture
def example1_vendor(make_vendor):
    def make(**fields):
        return make_vendor(
            "Leverancier NL", vat_id="NL820098395B01", default_gl_account="4930",
            default_cost_centre="1000", **fields,
        )  # fmt: skip

    return make


@pytest.fixture
def po_for(requester, approver):
    def make(vendor, *pairs):
        po = purchase_order_create(
            user=requester,
            vendor_id=vendor.id,
            lines=[
                {"description": f"Item {n}", "quantity": q, "unit_price": p}
                for n, (q, p) in enumerate(pairs or [("1", "300.00")], 1)
            ],
        )
        return purchase_order_approve(po_id=po.id, user=approver)

    return make


def test_an_unknown_seller_waits_then_a_retry_finds_the_new_vendor(
    clerk, einvoice_tax_codes, example1_vendor
):
    intake = import_sample(clerk).intake
    assert intake.status == "needs_vendor"
    assert intake.reason.startswith("No vendor has VAT id NL8200.98.395.B.01")
    assert (intake.net_total, intake.tax_amount, intake.total_amount) == (
        D("229.60"), D("20.73"), D("250.33"),
    )  # fmt: skip

    vendor = example1_vendor()
    outcome = intake_retry(intake_id=intake.id, user=clerk, version=intake.version)

    waiting = intake_get(intake_id=intake.id)
    assert outcome.invoice is None
    assert (waiting.status, waiting.vendor_id, waiting.inbox) == (
        "needs_po", vendor.id, "waiting",
    )  # fmt: skip
    assert "names no PO" in waiting.reason
    (entry,) = entries(intake, "UPDATE")
    details = json.loads(entry.details_json)
    assert details["after"]["status"] == "needs_po"
    assert details["source_sha256"] == intake.source_sha256


def test_a_clerk_assigns_the_po_and_the_item_becomes_its_invoice(
    clerk, einvoice_tax_codes, example1_vendor, po_for
):
    vendor = example1_vendor()
    intake = import_sample(clerk).intake
    assert intake.status == "needs_po"
    po = po_for(vendor)

    outcome = intake_assign_po(
        intake_id=intake.id, user=clerk, po_id=po.id, version=intake.version
    )

    invoice = invoice_get(invoice_id=outcome.invoice.id)
    done = intake_get(intake_id=intake.id)
    assert (done.status, done.inbox, done.invoice_id, done.resolved_by) == (
        "imported", None, invoice.id, "clerk",
    )  # fmt: skip
    assert intake_list().items == []
    assert (invoice.po_id, invoice.status, invoice.total_amount) == (
        po.id, "received", D("250.33"),
    )  # fmt: skip
    assert invoice.einvoice_key == intake.xml_key
    assert source_fingerprint_get(sha256=intake.source_sha256).invoice_id == invoice.id
    (entry,) = entries(intake, "IMPORT")
    assert json.loads(entry.details_json)["after"]["invoice_id"] == invoice.id


def test_the_same_file_after_its_item_was_imported_is_refused(
    clerk, einvoice_tax_codes, example1_vendor, po_for
):
    vendor = example1_vendor()
    intake = import_sample(clerk).intake
    po = po_for(vendor)
    invoice = intake_assign_po(
        intake_id=intake.id, user=clerk, po_id=po.id, version=intake.version
    ).invoice

    with pytest.raises(Duplicate) as refused:
        import_sample(clerk)

    assert refused.value.extra == {
        "already_imported": True,
        "existing_invoice_id": invoice.id,
    }


def test_a_po_of_another_vendor_is_refused(
    clerk, einvoice_tax_codes, example1_vendor, po_for, make_vendor
):
    example1_vendor()
    intake = import_sample(clerk).intake
    other = po_for(make_vendor("Someone Else"))

    with pytest.raises(ValidationFailed, match="is not a PO of Leverancier NL"):
        intake_assign_po(
            intake_id=intake.id, user=clerk, po_id=other.id, version=intake.version
        )
    assert intake_get(intake_id=intake.id).status == "needs_po"


def test_without_po_it_awaits_approval_coded_by_the_vendors_defaults(
    clerk, einvoice_tax_codes, example1_vendor
):
    example1_vendor()
    intake = import_sample(clerk).intake

    outcome = intake_without_po(intake_id=intake.id, user=clerk, version=intake.version)

    invoice = invoice_get(invoice_id=outcome.invoice.id)
    assert (invoice.status, invoice.po_id) == ("awaiting_approval", None)
    assert {(li.gl_account, li.cost_centre) for li in invoice.items} == {
        ("4930", "1000")
    }
    assert invoice.total_amount == D("250.33")
    assert intake_get(intake_id=intake.id).status == "imported"


def test_a_discarded_item_leaves_the_inbox_with_its_reason(clerk, einvoice_tax_codes):
    intake = import_sample(clerk).intake

    with pytest.raises(ValidationFailed, match="Say why"):
        intake_discard(
            intake_id=intake.id, user=clerk, reason=" ", version=intake.version
        )
    intake_discard(
        intake_id=intake.id, user=clerk, reason="Sent to us by mistake",
        version=intake.version,
    )  # fmt: skip

    done = intake_get(intake_id=intake.id)
    assert (done.status, done.inbox, done.discard_reason) == (
        "discarded", None, "Sent to us by mistake",
    )  # fmt: skip
    assert intake_list().items == []
    (entry,) = entries(intake, "DISCARD")
    assert json.loads(entry.details_json)["reason"] == "Sent to us by mistake"
    with pytest.raises(InvalidTransition, match="was discarded by clerk already"):
        intake_retry(intake_id=intake.id, user=clerk, version=done.version)


def test_a_stale_version_is_refused(clerk, einvoice_tax_codes):
    intake = import_sample(clerk).intake

    with pytest.raises(StaleRecord):
        intake_discard(
            intake_id=intake.id, user=clerk, reason="x", version=intake.version + 1
        )


def test_the_stored_xml_reads_again_and_gives_the_vendor_form_its_values(
    clerk, einvoice_tax_codes
):
    intake = import_sample(clerk).intake

    einvoice = intake_einvoice(intake=intake)
    initial = intake_vendor_initial(intake=intake)

    assert (einvoice.number, einvoice.totals.amount_due) == ("12115118", D("250.33"))
    assert initial["vat_id"] == "NL8200.98.395.B.01"
    assert initial["iban"] == "NL57 RABO 0107307510"
    assert initial["currency"] == "EUR"
    assert initial["name"] == einvoice.seller.name


def with_order_reference(xml: bytes, po_number: str) -> bytes:
    """UBL example 4 naming one of our POs (BT-13) instead of its "123"."""
    return xml.replace(
        b"<cbc:ID>123</cbc:ID>", f"<cbc:ID>{po_number}</cbc:ID>".encode()
    )


def test_a_retry_after_the_vendor_is_created_imports_and_matches(
    clerk, requester, approver, einvoice_tax_codes, make_vendor, make_rate
):
    make_rate("DKK", "0.134")
    vendor = make_vendor("SubscriptionSeller", currency="DKK")
    po = purchase_order_create(
        user=requester,
        vendor_id=vendor.id,
        currency="DKK",
        lines=[
            {"description": "Paper", "quantity": "1000", "unit_price": "1.00"},
            {"description": "Parker Pen", "quantity": "100", "unit_price": "5.00"},
            {"description": "Printing", "quantity": "500", "unit_price": "5.00"},
        ],
    )
    po = purchase_order_approve(po_id=po.id, user=approver)
    content = with_order_reference(sample_bytes("ubl-tc434-example4.xml"), po.po_number)
    intake = einvoice_import(user=clerk, filename="TOSL110.xml", content=content).intake
    assert intake.status == "needs_vendor"  # nobody has DK16356706 yet
    # Its VAT id fails python-stdnum's check digits: kept as the tax id, which
    # the seller's VAT id is compared with too.
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"tax_id": "DK16356706"})

    outcome = intake_retry(intake_id=intake.id, user=clerk, version=intake.version)

    invoice = outcome.invoice
    assert (invoice.po_id, invoice.total_amount) == (po.id, D("4675.00"))
    assert intake_get(intake_id=intake.id).status == "imported"
    (entry,) = entries(intake, "IMPORT")
    assert json.loads(entry.details_json)["how"] == "retry"
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    assert invoice_get(invoice_id=invoice.id).status == "matched"
