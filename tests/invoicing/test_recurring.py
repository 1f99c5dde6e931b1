"""Recurring invoices without PO: the calendar, the template, the monthly job."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from audit.selectors import audit_history
from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from invoicing import recurring, without_po
from invoicing.selectors import (
    invoice_list,
    invoices_awaiting_approval_by,
    recurring_invoice_get,
)

# Last year: an invoice is never dated in the future.
Y = dt.date.today().year - 1
RENT = [{"description": "Office rent", "quantity": "1", "unit_price": "1500.00"}]


@pytest.mark.parametrize(
    ("day", "after", "expected"),
    [
        (31, dt.date(2027, 1, 31), dt.date(2027, 2, 28)),
        (31, dt.date(2028, 1, 31), dt.date(2028, 2, 29)),  # leap year
        (31, dt.date(2027, 2, 28), dt.date(2027, 3, 31)),  # back to the 31st
        (30, dt.date(2027, 12, 30), dt.date(2028, 1, 30)),
        (1, dt.date(2027, 6, 1), dt.date(2027, 7, 1)),
    ],
)
def test_the_next_invoice_day_keeps_the_templates_day_within_the_month(
    day, after, expected
):
    assert recurring.next_occurrence(day, after) == expected


def test_the_first_day_is_on_or_after_the_start():
    assert recurring.first_occurrence(31, dt.date(2027, 2, 10)) == dt.date(2027, 2, 28)
    assert recurring.first_occurrence(5, dt.date(2027, 2, 10)) == dt.date(2027, 3, 5)


def make(clerk, vendor, **fields):
    defaults = {
        "vendor_id": vendor.id,
        "lines": RENT,
        "day_of_month": 31,
        "start_date": dt.date(Y, 1, 1),
        "tax_amount": "285.00",
    }
    return recurring.recurring_invoice_create(user=clerk, **{**defaults, **fields})


def numbers(vendor):
    return sorted(i.invoice_number for i in invoice_list(vendor_id=vendor.id).items)


def test_a_template_is_kept_by_clerks_and_audited(clerk, approver, active_vendor):
    with pytest.raises(PermissionDenied):
        make(approver, active_vendor)
    with pytest.raises(ValidationFailed) as refused:
        make(clerk, active_vendor, day_of_month=32, end_date=dt.date(Y - 1, 1, 1))
    assert {"day_of_month", "end_date"} <= set(refused.value.field_errors)
    template = make(clerk, active_vendor)
    assert (template.next_date, template.total_amount, template.currency) == (
        f"{Y}-01-31",
        Decimal("1785.00"),
        "EUR",
    )
    updated = recurring.recurring_invoice_update(
        template_id=template.id, user=clerk, version=template.version,
        lines=[{**RENT[0], "unit_price": "1600.00"}], day_of_month=15,
        start_date=dt.date(Y, 1, 1), tax_amount="0",
    )  # fmt: skip
    assert (updated.next_date, updated.total_amount) == (
        f"{Y}-01-15",
        Decimal("1600.00"),
    )
    recurring.recurring_invoice_deactivate(template_id=template.id, user=clerk)
    stored = recurring_invoice_get(template_id=template.id)
    assert (stored.active, stored.next_date, stored.due) == (False, None, None)
    with pytest.raises(InvalidTransition, match="already deactivated"):
        recurring.recurring_invoice_deactivate(template_id=template.id, user=clerk)
    history = audit_history(entity_type="recurring_invoice", entity_id=template.id)
    assert [e.action for e in reversed(history.items)] == ["CREATE", "UPDATE", "UPDATE"]
    assert history.items[0].details["after"]["active"] is False


def test_the_job_raises_each_due_month_once_even_run_twice(
    clerk, approver, active_vendor
):
    template = make(clerk, active_vendor, end_date=dt.date(Y, 4, 30))
    prefix = f"REC-{template.id[:8]}"
    out = StringIO()
    call_command("raise_recurring_invoices", "--date", f"{Y}-03-01", stdout=out)
    call_command("raise_recurring_invoices", "--date", f"{Y}-03-01", stdout=out)
    # January 31 and February 28 (day 31 in February), once each.
    assert numbers(active_vendor) == [f"{prefix}-{Y}-01", f"{prefix}-{Y}-02"]
    assert "Raised 2 invoice(s)." in out.getvalue()
    assert "Raised 0 invoice(s)." in out.getvalue()
    feb = next(
        i for i in invoice_list(vendor_id=active_vendor.id).items
        if i.invoice_number.endswith(f"{Y}-02")
    )  # fmt: skip
    feb_end = 29 if Y % 4 == 0 and (Y % 100 or Y % 400 == 0) else 28
    assert (feb.invoice_date, feb.status, feb.total_amount, feb.po_id) == (
        f"{Y}-02-{feb_end}",
        "awaiting_approval",
        Decimal("1785.00"),
        None,
    )
    assert feb.recurring_id == template.id
    # Its enterer is the clerk who set the amounts: another must approve it.
    with pytest.raises(PermissionDenied, match="no self-approval"):
        without_po.invoice_approve(invoice_id=feb.id, user=clerk)
    assert feb.id in [i.id for i in invoices_awaiting_approval_by(user=approver).items]
    entry = audit_history(entity_type="invoice", entity_id=feb.id).items[0]
    assert (entry.action, entry.user_id) == ("CREATE", "recurring_invoices")

    call_command("raise_recurring_invoices", "--date", f"{Y}-06-01", stdout=out)
    assert len(numbers(active_vendor)) == 4  # March and April, then it ended
    stored = recurring_invoice_get(template_id=template.id)
    assert (stored.next_date, stored.due, stored.last_raised_month) == (
        None,
        None,
        f"{Y}-04",
    )


def test_a_dry_run_raises_nothing(clerk, active_vendor):
    make(clerk, active_vendor)
    out = StringIO()
    call_command(
        "raise_recurring_invoices", "--date", f"{Y}-02-28", "--dry-run", stdout=out
    )
    assert "Would raise 2 invoice(s)." in out.getvalue()
    assert numbers(active_vendor) == []


def test_the_template_pages_list_create_and_deactivate(client, clerk, active_vendor):
    client.force_login(clerk)
    assert (
        "New recurring invoice" in client.get("/invoices/recurring/").content.decode()
    )
    answer = client.post(
        "/invoices/recurring/new/",
        {
            "vendor": active_vendor.id,
            "day_of_month": "31",
            "start_date": f"{Y}-01-01",
            "tax_amount": "0",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-description": "Rent <script>",
            "lines-0-quantity": "1",
            "lines-0-unit_price": "1500.00",
        },
        follow=True,
    )
    text = answer.content.decode()
    assert f"next invoice {Y}-01-31" in text
    assert "Rent &lt;script&gt;" in text
    bad = client.post(
        "/invoices/recurring/new/",
        {"vendor": active_vendor.id, "day_of_month": "40", "start_date": f"{Y}-01-01",
         "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert bad.status_code == 422


def test_a_recurring_invoices_history_reads_in_the_forms_words(clerk, active_vendor):
    from audit.changes import entry_changes

    template = make(clerk, active_vendor)
    recurring.recurring_invoice_deactivate(template_id=template.id, user=clerk)
    created, deactivated = reversed(
        audit_history(entity_type="recurring_invoice", entity_id=template.id).items
    )
    labels = {change.label for change in entry_changes(created)}
    assert {"Day of the month", "First invoice from", "Next invoice on"} <= labels
    assert not {"day_of_month", "start_date", "next_date"} & labels
    [active] = [c for c in entry_changes(deactivated) if c.label == "Active"]
    assert (active.before, active.after) == ("Yes", "No")
