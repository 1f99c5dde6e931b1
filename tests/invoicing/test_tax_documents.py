"""Tax on stored invoices and credit notes: computed at entry, checked at reconciliation."""

import datetime as dt
from decimal import Decimal

import pytest

from core.errors import ValidationFailed
from invoicing.credit_notes import credit_note_create
from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get
from invoicing.services import invoice_create, invoice_resubmit
from invoicing.without_po import invoice_without_po_create
from vendors.models import Vendor

TODAY = dt.date.today().isoformat()
D = Decimal


def coded(*rows):
    """Lines from (quantity, unit price, tax code) triples, PO line n for line n."""
    return [
        {
            "description": f"Item {n}",
            "quantity": q,
            "unit_price": p,
            "tax_code": code,
            "po_line_number": n,
        }
        for n, (q, p, code) in enumerate(rows, start=1)
    ]


STANDARD_AND_REDUCED = (("10", "100.00", "V19"), ("5", "20.00", "v7"))


def enter(clerk, po, rows=STANDARD_AND_REDUCED, number="INV-1", **extra):
    return invoice_create(
        user=clerk, po_id=po.id, invoice_number=number, invoice_date=TODAY,
        lines=coded(*rows), **extra,
    )  # fmt: skip


def reconciled(clerk, invoice):
    _, report = invoice_reconcile(invoice_id=invoice.id, user=clerk)
    return invoice_get(invoice_id=invoice.id), report


def breakdown(invoice):
    return [
        (t.tax_code, t.rate, t.category, t.base, t.amount, t.printed)
        for t in invoice.tax_lines
    ]


def printed(v19, v7):
    """Printed tax for V19 and V7."""
    return [{"tax_code": "V19", "amount": v19}, {"tax_code": "V7", "amount": v7}]


def with_vat_id(vendor_id, vat_id="ATU13585627"):
    Vendor.get(vendor_id).update(actions=[Vendor.vat_id.set(vat_id)])


def test_invoice_with_19_and_7_percent_lines_keeps_its_printed_tax_and_matches(
    clerk, approved_po, tax_codes
):
    invoice = enter(
        clerk,
        approved_po,
        printed_tax=printed("190.00", "7.00"),
        total_amount="1297.00",
    )
    stored = invoice_get(invoice_id=invoice.id)
    assert breakdown(stored) == [
        ("V19", D("19"), "S", D("1000.00"), D("190.00"), D("190.00")),
        ("V7", D("7"), "S", D("100.00"), D("7.00"), D("7.00")),
    ]
    assert (stored.net_total, stored.tax_amount, stored.total_amount) == (
        D("1100.00"),
        D("197.00"),
        D("1297.00"),
    )
    stored, report = reconciled(clerk, stored)
    assert stored.status == "matched"


def test_printed_tax_two_cents_off_rejects_with_a_tax_variance(
    clerk, approved_po, tax_codes
):
    invoice = enter(
        clerk,
        approved_po,
        printed_tax=printed("190.00", "7.02"),
    )
    assert invoice.tax_amount == D("197.02")
    assert invoice.total_amount == D("1297.02")
    stored, report = reconciled(clerk, invoice)
    assert stored.status == "rejected"
    assert [
        (f["code"], f["line"], f["expected"], f["actual"])
        for f in stored.report["findings"]
    ] == [("TAX_VARIANCE", "V7", "7.00", "7.02")]
    assert (
        "Tax V7: printed 7.02, computed 7.00" in stored.report["findings"][0]["message"]
    )


def test_printed_tax_one_cent_off_matches(clerk, approved_po, tax_codes):
    invoice = enter(
        clerk, approved_po, printed_tax=[{"tax_code": "V19", "amount": "190.01"}]
    )
    # V7 not printed: the computed 7.00 counts and is not checked.
    assert invoice.tax_amount == D("197.01")
    stored, _ = reconciled(clerk, invoice)
    assert stored.status == "matched"


def test_a_mix_of_coded_and_uncoded_lines_is_refused(
    clerk, approved_po, tax_codes, settings
):
    settings.DEFAULT_TAX_CODE = ""  # no default: uncoded lines stay uncoded
    rows = coded(("10", "100.00", "V19"), ("5", "20.00", None))
    with pytest.raises(ValidationFailed) as refused:
        invoice_create(
            user=clerk, po_id=approved_po.id, invoice_number="INV-1",
            invoice_date=TODAY, lines=rows,
        )  # fmt: skip
    assert "Give every line a tax code, or none of them: line(s) 2" in str(
        refused.value
    )
    assert "items.1.tax_code" in refused.value.field_errors


def test_an_unknown_tax_code_is_refused_by_name(clerk, approved_po, tax_codes):
    with pytest.raises(ValidationFailed) as refused:
        enter(clerk, approved_po, rows=(("10", "100.00", "V99"), ("5", "20.00", "V7")))
    assert "V99" in refused.value.field_errors["items.0.tax_code"]


@pytest.mark.parametrize(
    "printed, field, message",
    [
        ([{"tax_code": "V0", "amount": "1.00"}], "printed_tax.0.tax_code",
         "No line has tax code V0; the lines use V19, V7."),
        ([{"tax_code": "V19", "amount": "190.00"},
          {"tax_code": "v19", "amount": "190.00"}], "printed_tax.1.tax_code",
         "The tax of V19 is given twice"),
        ([{"tax_code": "V19", "amount": "-1.00"}], "printed_tax.0.amount",
         "cannot be negative"),
        ([{"tax_code": "V19", "amount": "1.001"}], "printed_tax.0.amount",
         "decimal"),
    ],
)  # fmt: skip
def test_printed_tax_is_refused_when_it_names_the_wrong_codes_or_amounts(
    clerk, approved_po, tax_codes, printed, field, message
):
    with pytest.raises(ValidationFailed) as refused:
        enter(clerk, approved_po, printed_tax=printed)
    assert message in refused.value.field_errors[field]


def test_the_claimed_total_is_still_checked_against_net_plus_printed_tax(
    clerk, approved_po, tax_codes
):
    with pytest.raises(ValidationFailed, match="plus tax"):
        enter(
            clerk,
            approved_po,
            printed_tax=[{"tax_code": "V19", "amount": "190.00"}],
            total_amount="1290.00",
        )


def test_one_code_and_only_a_tax_amount_takes_it_as_that_codes_printed_tax(
    clerk, make_po, approver, tax_codes
):
    from purchasing.services import purchase_order_approve

    po = purchase_order_approve(po_id=make_po(("10", "100.00")).id, user=approver)
    invoice = enter(clerk, po, rows=(("10", "100.00", "V19"),), tax_amount="190.05")
    assert breakdown(invoice) == [
        ("V19", D("19"), "S", D("1000.00"), D("190.00"), D("190.05"))
    ]
    stored, _ = reconciled(clerk, invoice)
    assert [f["code"] for f in stored.report["findings"]] == ["TAX_VARIANCE"]


def test_several_codes_and_only_a_tax_amount_compare_the_sum(
    clerk, approved_po, tax_codes
):
    invoice = enter(clerk, approved_po, tax_amount="197.00")
    assert [t.printed for t in invoice.tax_lines] == [None, None]
    assert invoice.tax_amount == D("197.00")
    assert reconciled(clerk, invoice)[0].status == "matched"
    other = enter(clerk, approved_po, number="INV-2", tax_amount="199.00")
    stored, _ = reconciled(clerk, other)
    assert [(f["code"], f["line"]) for f in stored.report["findings"]] == [
        ("QTY_OVER_ORDERED", 1),
        ("QTY_OVER_ORDERED", 2),
        ("OVER_BILLED", None),
        ("TAX_VARIANCE", None),
    ]


def test_lines_without_codes_keep_the_old_unchecked_tax(
    clerk, approved_po, tax_codes, settings
):
    settings.DEFAULT_TAX_CODE = ""  # no default: uncoded lines stay uncoded
    invoice = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="INV-1", invoice_date=TODAY,
        lines=[{"description": "a", "quantity": "10", "unit_price": "100.00"},
               {"description": "b", "quantity": "5", "unit_price": "20.00"}],
        tax_amount="3.00",
    )  # fmt: skip
    stored = invoice_get(invoice_id=invoice.id)
    assert stored.tax_lines is None
    assert (stored.tax_amount, stored.total_amount) == (D("3.00"), D("1103.00"))
    assert reconciled(clerk, stored)[0].status == "matched"


def test_printed_tax_without_coded_lines_is_refused(
    clerk, approved_po, tax_codes, settings
):
    settings.DEFAULT_TAX_CODE = ""  # no default: uncoded lines stay uncoded
    with pytest.raises(ValidationFailed, match="lines that name their tax code"):
        invoice_create(
            user=clerk, po_id=approved_po.id, invoice_number="INV-1",
            invoice_date=TODAY,
            lines=[{"description": "a", "quantity": "1", "unit_price": "1.00"}],
            printed_tax=[{"tax_code": "V19", "amount": "0.19"}],
        )  # fmt: skip


def test_reverse_charge_needs_both_vat_ids(clerk, approved_po, tax_codes, settings):
    rows = (("10", "100.00", "RC19"), ("5", "20.00", "RC19"))
    settings.COMPANY_VAT_ID = ""
    with pytest.raises(ValidationFailed) as refused:
        enter(clerk, approved_po, rows=rows)
    message = str(refused.value)
    assert "RC19 (reverse charge)" in message
    assert f"the VAT id of {approved_po.vendor_name}" in message
    assert "the company's VAT id (setting COMPANY_VAT_ID)" in message
    with_vat_id(approved_po.vendor_id)
    with pytest.raises(ValidationFailed) as refused:
        enter(clerk, approved_po, rows=rows)
    assert "VAT id of" not in str(refused.value)
    settings.COMPANY_VAT_ID = "DE136695976"
    invoice = enter(clerk, approved_po, rows=rows, tax_amount="0.00")
    assert (invoice.tax_amount, invoice.total_amount) == (D("0.00"), D("1100.00"))
    assert reconciled(clerk, invoice)[0].status == "matched"


@pytest.fixture
def reverse_charge_charged(clerk, approved_po, tax_codes, settings):
    """A reverse-charge invoice of a vendor with a VAT id, charging 19% anyway."""
    settings.COMPANY_VAT_ID = "DE136695976"
    with_vat_id(approved_po.vendor_id)
    invoice = enter(
        clerk,
        approved_po,
        rows=(("10", "100.00", "RC19"), ("5", "20.00", "RC19")),
        printed_tax=[{"tax_code": "RC19", "amount": "209.00"}],
    )
    stored, _ = reconciled(clerk, invoice)
    return stored


def test_reverse_charge_with_tax_charged_is_a_category_mismatch(
    reverse_charge_charged,
):
    stored = reverse_charge_charged
    assert stored.status == "rejected"
    (finding,) = stored.report["findings"]
    assert (finding["code"], finding["line"], finding["actual"]) == (
        "TAX_CATEGORY_MISMATCH",
        "RC19",
        "209.00",
    )


def test_a_correction_recomputes_the_breakdown(clerk, approved_po, tax_codes):
    invoice = enter(
        clerk, approved_po, printed_tax=[{"tax_code": "V7", "amount": "7.05"}]
    )
    stored, _ = reconciled(clerk, invoice)
    assert stored.status == "rejected"
    corrected = invoice_resubmit(
        invoice_id=stored.id, user=clerk, version=stored.version,
        invoice_number="INV-1", invoice_date=TODAY, lines=coded(*STANDARD_AND_REDUCED),
        printed_tax=[{"tax_code": "V7", "amount": "7.00"},
                     {"tax_code": "V19", "amount": "190.00"}],
    )  # fmt: skip
    assert [t.printed for t in corrected.tax_lines] == [D("190.00"), D("7.00")]
    assert corrected.tax_amount == D("197.00")
    assert reconciled(clerk, corrected)[0].status == "matched"


def test_a_credit_note_carries_its_tax_and_a_variance_rejects_it(
    clerk, approved_po, tax_codes
):
    billed = enter(
        clerk,
        approved_po,
        printed_tax=printed("190.00", "7.00"),
    )
    reconciled(clerk, billed)
    credit = credit_note_create(
        user=clerk, credited_invoice_id=billed.id, invoice_number="CN-1",
        invoice_date=TODAY, lines=coded(("2", "100.00", "V19")),
        printed_tax=[{"tax_code": "V19", "amount": "38.10"}],
    )  # fmt: skip
    assert breakdown(credit) == [
        ("V19", D("19"), "S", D("200.00"), D("38.00"), D("38.10"))
    ]
    assert credit.total_amount == D("238.10")
    stored, _ = reconciled(clerk, credit)
    assert stored.status == "rejected"
    assert [(f["code"], f["line"]) for f in stored.report["findings"]] == [
        ("TAX_VARIANCE", "V19")
    ]


def test_an_invoice_without_po_computes_its_tax(clerk, active_vendor, tax_codes):
    invoice = invoice_without_po_create(
        user=clerk, vendor_id=active_vendor.id, invoice_number="NP-1",
        invoice_date=TODAY,
        lines=[{"description": "Rent", "quantity": "1", "unit_price": "500.00",
                "tax_code": "V19", "gl_account": "4200", "cost_centre": "1000"}],
        printed_tax=[{"tax_code": "V19", "amount": "95.00"}],
    )  # fmt: skip
    assert breakdown(invoice_get(invoice_id=invoice.id)) == [
        ("V19", D("19"), "S", D("500.00"), D("95.00"), D("95.00"))
    ]
    assert invoice.total_amount == D("595.00")


def test_tax_charged_on_reverse_charge_cannot_be_accepted_as_a_variance(
    approver, reverse_charge_charged
):
    from audit.selectors import audit_history
    from core.errors import InvalidTransition
    from invoicing.variances import invoice_variance_accept

    stored = reverse_charge_charged
    entries = audit_history(entity_type="invoice", entity_id=stored.id).items
    assert any(
        (e.details or {}).get("findings") == ["TAX_CATEGORY_MISMATCH RC19"]
        for e in entries
    )
    with pytest.raises(InvalidTransition, match="TAX_CATEGORY_MISMATCH: it charges"):
        invoice_variance_accept(
            invoice_id=stored.id, user=approver, reason="ok", version=stored.version
        )


def test_a_tax_variance_may_be_accepted(clerk, approver, approved_po, tax_codes):
    from invoicing.variances import invoice_variance_accept

    invoice = enter(
        clerk, approved_po, printed_tax=[{"tax_code": "V7", "amount": "7.05"}]
    )
    stored, _ = reconciled(clerk, invoice)
    accepted = invoice_variance_accept(
        invoice_id=stored.id, user=approver, reason="Vendor rounds per line",
        version=stored.version,
    )  # fmt: skip
    assert accepted.status == "matched"
