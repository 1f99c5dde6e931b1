"""
The bank's answer in a real browser (issue 17): a treasurer uploads the
bank's status report and notification, sees what each did, and the run's
page shows the returned payment with the bank's reason.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from invoicing.reconciliation import invoice_reconcile
from invoicing.services import invoice_create
from payments import services
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_procure_to_pay import flash, nav
from tests.conftest import EUR_IBAN_1, EUR_IBAN_2, VALID_VENDOR, po_lines
from tests.payments import bank_files as files
from vendors.services import vendor_bank_details_confirm, vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


def exported_run(people):
    """An exported run paying Acme and Bureau one invoice each."""
    for number, (name, iban) in enumerate(
        [("Acme Supplies GmbH", EUR_IBAN_1), ("Bureau Fournitures SA", EUR_IBAN_2)]
    ):
        vendor = vendor_create(
            user=people["clerk"],
            fields={**VALID_VENDOR, "name": name, "tax_id": None,
                    "status": "active", "iban": iban},
        )  # fmt: skip
        vendor = vendor_bank_details_confirm(
            vendor_id=vendor.id, user=people["clerk2"], version=vendor.version
        )
        po = purchase_order_create(
            user=people["requester"],
            vendor_id=vendor.id,
            lines=po_lines(("1", "500.00")),
        )
        purchase_order_approve(po_id=po.id, user=people["approver"])
        invoice = invoice_create(
            user=people["clerk"],
            po_id=po.id,
            invoice_number=f"INV-{number + 1}",
            invoice_date=dt.date.today() - dt.timedelta(days=40),
            lines=po_lines(("1", "500.00")),
        )
        invoice_reconcile(invoice_id=invoice.id, user=people["clerk"])
    treasurer = people["treasurer"]
    run = services.payment_run_create(user=treasurer, payment_date=dt.date.today()).run
    services.payment_run_approve(run_id=run.id, user=people["approver"])
    return services.payment_run_export(run_id=run.id, user=treasurer)


def test_a_treasurer_uploads_the_banks_answer_and_the_run_confirms_itself(
    desk, people, tmp_path
):
    run = exported_run(people)
    by_vendor = {p.vendor_name: p for p in run.payments}
    pain001 = next(f for f in run.files if f.kind == "pain001")
    acme, bureau = by_vendor["Acme Supplies GmbH"], by_vendor["Bureau Fournitures SA"]
    status = tmp_path / "status.xml"
    status.write_bytes(
        files.pain002(
            original_message_id=pain001.message_id,
            transactions=[(bureau.id, "RJCT", "AC04", "Account closed")],
        )
    )
    notification = tmp_path / "notification.xml"
    notification.write_bytes(
        files.camt054(
            entries=[
                {
                    "end_to_end_id": acme.id,
                    "amount": acme.amount,
                    "booking_date": dt.date.today(),
                    "creditor_iban": acme.iban,
                }
            ]
        )
    )

    treasurer = desk("treasurer")
    nav(treasurer, "Payment runs")
    treasurer.get_by_role("button", name="Bank statements").click()
    treasurer.get_by_label("Bank file").set_input_files(status)
    treasurer.get_by_role("button", name="Import the file").click()
    expect(flash(treasurer)).to_contain_text("1 entry, 0 booked, 1 returned")
    answered = treasurer.get_by_role("row", name="Bureau Fournitures SA")
    expect(answered).to_contain_text("AC04 Account closed")

    treasurer.get_by_role("link", name="Bank statements").click()
    treasurer.get_by_label("Bank file").set_input_files(notification)
    treasurer.get_by_role("button", name="Import the file").click()
    expect(flash(treasurer)).to_contain_text(f"Confirmed: {run.number}")
    treasurer.screenshot(path=SCREENSHOTS / "bank-statement-detail.png", full_page=True)

    treasurer.get_by_role("link", name=run.number).first.click()
    expect(treasurer.get_by_role("region", name="Next step")).to_contain_text(
        "Paid, except 1 transfer the bank returned: its invoices are matched "
        "again and its vendor is on payment hold."
    )
    expect(treasurer.get_by_text("Bank: Rejected: AC04 Account closed")).to_be_visible()
    treasurer.screenshot(path=SCREENSHOTS / "bank-answer-run.png", full_page=True)

    nav(treasurer, "Payment runs")
    treasurer.get_by_role("button", name="Bank statements").click()
    treasurer.get_by_label("Bank file").set_input_files(status)
    treasurer.get_by_role("button", name="Import the file").click()
    expect(flash(treasurer)).to_contain_text("was already imported")
