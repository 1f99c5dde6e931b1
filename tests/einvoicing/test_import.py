"""einvoice_import on files: refused documents keep nothing; a Factur-X PDF is kept."""

import hashlib
import json

import pytest

from audit.selectors import audit_history
from core import documents
from core.errors import Duplicate
from einvoicing.document import EInvoiceInvalid, Syntax
from einvoicing.selectors import intake_get, intake_list, source_fingerprint_get
from einvoicing.services import einvoice_import, intake_assign_po
from invoicing.selectors import invoice_get
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.einvoicing import broken
from tests.einvoicing.samples import facturx_pdf, sample_bytes


@pytest.fixture
def leverancier(make_vendor):
    """The seller of example 1 (UBL and CII), by its VAT id."""
    return make_vendor("Leverancier NL", vat_id="NL820098395B01")


@pytest.fixture
def eur_po(requester, approver):
    def make(vendor):
        po = purchase_order_create(
            user=requester,
            vendor_id=vendor.id,
            lines=[
                {"description": "Groceries", "quantity": "1", "unit_price": "250.33"}
            ],
        )
        return purchase_order_approve(po_id=po.id, user=approver)

    return make


@pytest.mark.parametrize(
    ("name", "syntax"),
    [("ubl-tc434-example1.xml", Syntax.UBL), ("CII_example4.xml", Syntax.CII)],
)
def test_a_broken_total_is_refused_by_rule_and_nothing_is_kept(
    name, syntax, clerk, einvoice_tax_codes, leverancier
):
    content = broken.with_total_broken(sample_bytes(name), syntax)

    with pytest.raises(EInvoiceInvalid) as refused:
        einvoice_import(user=clerk, filename=name, content=content)

    rules = {error["rule"] for error in refused.value.extra["errors"]}
    assert {"BR-CO-15", "BR-CO-16"} <= rules
    assert "BR-CO-15" in refused.value.message
    assert intake_list(waiting_only=False).items == []
    assert source_fingerprint_get(sha256=hashlib.sha256(content).hexdigest()) is None
    assert documents.document_keys(folder="einvoices") == []


def test_warnings_are_kept_with_the_item_and_counted_in_the_invoices_entry(
    clerk, einvoice_tax_codes, leverancier, eur_po
):
    content = broken.with_warning(sample_bytes("ubl-tc434-example1.xml"), Syntax.UBL)

    outcome = einvoice_import(user=clerk, filename="warned.xml", content=content)

    assert [w.rule_id for w in outcome.warnings] == ["UBL-CR-004"]
    intake = outcome.intake
    assert [w["rule"] for w in intake.warnings] == ["UBL-CR-004"]
    invoice = intake_assign_po(
        intake_id=intake.id, user=clerk, po_id=eur_po(leverancier).id,
        version=intake.version,
    ).invoice  # fmt: skip
    (entry,) = [
        e
        for e in audit_history(entity_type="invoice", entity_id=invoice.id).items
        if e.action == "CREATE"
    ]
    source = json.loads(entry.details_json)["source"]
    assert (source["warnings"], source["warning_rules"]) == (1, ["UBL-CR-004"])
    assert source["source_sha256"] == hashlib.sha256(content).hexdigest()


def test_a_facturx_pdf_is_the_invoices_attachment_and_its_xml_is_kept(
    clerk, einvoice_tax_codes, leverancier, eur_po
):
    xml = sample_bytes("CII_example1.xml")
    pdf = facturx_pdf(xml)

    intake = einvoice_import(user=clerk, filename="12115118.pdf", content=pdf).intake

    assert (intake.status, intake.container, intake.vendor_id) == (
        "needs_po", "facturx_pdf", leverancier.id,
    )  # fmt: skip
    assert intake.source_sha256 == hashlib.sha256(pdf).hexdigest()
    invoice = intake_assign_po(
        intake_id=intake.id, user=clerk, po_id=eur_po(leverancier).id,
        version=intake.version,
    ).invoice  # fmt: skip
    invoice = invoice_get(invoice_id=invoice.id)
    assert (invoice.attachment_name, invoice.attachment_type) == (
        "12115118.pdf", "application/pdf",
    )  # fmt: skip
    with documents.document_open(key=invoice.attachment_key) as stored:
        assert stored.read() == pdf
    with documents.document_open(key=invoice.einvoice_key) as stored:
        assert b"CrossIndustryInvoice" in stored.read()
    assert invoice.einvoice_syntax == "cii"
    assert intake_get(intake_id=intake.id).status == "imported"


def test_the_same_number_in_another_file_is_the_first_invoices_duplicate(
    clerk, einvoice_tax_codes, leverancier, eur_po
):
    first = einvoice_import(
        user=clerk, filename="a.xml", content=sample_bytes("ubl-tc434-example1.xml")
    ).intake
    invoice = intake_assign_po(
        intake_id=first.id, user=clerk, po_id=eur_po(leverancier).id,
        version=first.version,
    ).invoice  # fmt: skip
    # The CII rendering of the same invoice: another file, the same number.
    second = einvoice_import(
        user=clerk, filename="b.xml", content=sample_bytes("CII_example1.xml")
    ).intake

    with pytest.raises(Duplicate) as refused:
        intake_assign_po(
            intake_id=second.id, user=clerk, po_id=eur_po(leverancier).id,
            version=second.version,
        )  # fmt: skip

    assert refused.value.extra == {"existing_invoice_id": invoice.id}
    assert intake_get(intake_id=second.id).status == "needs_po"
