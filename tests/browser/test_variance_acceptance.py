"""
Accepting a variance in a real browser (issue 15): an invoice billed 1.5%
above the PO's price is rejected with PRICE_VARIANCE; its clerk sends it to
approval with a note and cannot accept it; the approver finds it on the
dashboard under "Variances sent to me", accepts it with a reason, and the
invoice is matched, its page showing the acceptance. The pages this adds
pass the page checks at both widths.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from invoicing.services import invoice_create
from purchasing.selectors import purchase_order_get
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.browser.conftest import SCREENSHOTS
from tests.browser.page_checks import LAPTOP, TABLET, csp_violations, page_problems
from tests.browser.test_procure_to_pay import field, flash
from tests.conftest import VALID_VENDOR
from vendors.services import vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


@pytest.fixture
def dearer_invoice(people):
    """A PO for 10 x 200.00, and an invoice billing them at 203.00 (1.5% more)."""
    clerk = people["clerk"]
    vendor = vendor_create(user=clerk, fields={**VALID_VENDOR, "status": "active"})
    po = purchase_order_create(
        user=people["requester"],
        vendor_id=vendor.id,
        lines=[{"description": "Steel brackets", "quantity": "10",
                "unit_price": "200.00"}],
    )  # fmt: skip
    po = purchase_order_approve(po_id=po.id, user=people["approver"])
    invoice = invoice_create(
        user=clerk,
        po_id=po.id,
        invoice_number="ST-1015",
        invoice_date=dt.date.today(),
        lines=[{"description": "Steel brackets", "quantity": "10",
                "unit_price": "203.00", "po_line_number": 1}],
    )  # fmt: skip
    return po, invoice


def test_a_price_variance_is_sent_to_approval_and_accepted_by_an_approver(
    desk, dearer_invoice, mailoutbox
):
    po, invoice = dearer_invoice
    clerk = desk("clerk")
    clerk.goto(f"/invoices/{invoice.id}/")
    clerk.get_by_role("button", name="Reconcile now").click()
    expect(flash(clerk)).to_contain_text("was rejected with")
    expect(clerk.locator("#reconciliation")).to_contain_text("PRICE_VARIANCE")

    # The clerk sends it to the approver with a note, and cannot accept it.
    clerk.reload()
    expect(clerk.get_by_role("button", name="Accept variance…")).to_have_count(0)
    expect(
        clerk.get_by_text("Accepting the variance is for an Approver")
    ).to_be_visible()
    clerk.get_by_role("button", name="Send to approval…").click()
    expect(
        clerk.get_by_role("heading", name="Send invoice ST-1015 to approval")
    ).to_be_visible()
    field(clerk, "Approver").select_option("approver")
    field(clerk, "Note for the approver").fill(
        "Steel surcharge of 1.5% <agreed by phone>"
    )
    clerk.get_by_role("button", name="Send invoice ST-1015 to approval").click()
    expect(flash(clerk)).to_contain_text(
        "Invoice ST-1015 sent to approver for acceptance"
    )
    expect(
        clerk.get_by_role("note").filter(has_text="Sent to approval")
    ).to_contain_text("to approver: Steel surcharge of 1.5% <agreed by phone>")
    refused = clerk.goto(f"/invoices/{invoice.id}/accept-variance/")
    assert refused.status == 403
    assert any("variance awaits your acceptance" in m.subject for m in mailoutbox)

    # The approver finds it on the dashboard and accepts it with a reason.
    approver = desk("approver")
    approver.goto("/")
    queue = approver.locator("article.work").filter(has_text="Variances sent to me")
    expect(queue).to_contain_text("Sent by clerk: Steel surcharge of 1.5%")
    queue.get_by_role("link", name="ST-1015").click()
    approver.get_by_role("button", name="Accept variance…").click()
    expect(approver.get_by_role("table")).to_contain_text("PRICE_VARIANCE")
    approver.get_by_role(
        "button", name="Accept the variance and match invoice ST-1015"
    ).click()
    expect(
        approver.get_by_text("Give the reason for accepting the variance.").first
    ).to_be_visible()
    field(approver, "Why is the variance accepted?").fill(
        "Surcharge agreed with the vendor <PO note>"
    )
    approver.get_by_role(
        "button", name="Accept the variance and match invoice ST-1015"
    ).click()
    expect(flash(approver)).to_contain_text("Variance of invoice ST-1015 accepted")
    expect(approver.get_by_role("heading", name="Invoice ST-1015")).to_contain_text(
        "Matched"
    )
    acceptance = approver.get_by_role("region", name="Variance accepted")
    expect(acceptance).to_contain_text("By approver on")
    expect(acceptance).to_contain_text("Surcharge agreed with the vendor <PO note>")
    expect(acceptance).to_contain_text(
        "Findings accepted: PRICE_VARIANCE, TOTAL_VARIANCE"
    )
    expect(acceptance).to_contain_text("Sent to approval by clerk")
    assert purchase_order_get(po_id=po.id).invoiced_total == 2030

    approver.goto("/")
    expect(
        approver.locator("article.work").filter(has_text="Variances sent to me")
    ).to_contain_text("No rejected invoice waits for your acceptance.")
    approver.goto(f"/invoices/{invoice.id}/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    approver.screenshot(path=SCREENSHOTS / "variance-accepted.png", full_page=True)


@pytest.mark.parametrize("viewport", [LAPTOP, TABLET], ids=["laptop", "tablet"])
def test_the_variance_pages_pass_the_page_checks(
    desk, people, dearer_invoice, viewport
):
    from invoicing.reconciliation import invoice_reconcile
    from invoicing.variances import invoice_send_to_approval

    _, invoice = dearer_invoice
    invoice_reconcile(invoice_id=invoice.id, user=people["clerk"])
    invoice_send_to_approval(invoice_id=invoice.id, user=people["clerk"], note="1.5%")
    pages = [
        ("clerk", f"/invoices/{invoice.id}/"),
        ("clerk", f"/invoices/{invoice.id}/send-to-approval/"),
        ("clerk", f"/invoices/{invoice.id}/correct/"),
        ("approver", f"/invoices/{invoice.id}/"),
        ("approver", f"/invoices/{invoice.id}/accept-variance/"),
        ("approver", "/invoices/variances/"),
        ("approver", "/"),
    ]
    problems = {}
    for who, path in pages:
        page = desk(who)
        page.set_viewport_size(viewport)
        page.goto(path)
        page.wait_for_load_state("networkidle")
        if found := page_problems(page, viewport, also=(csp_violations,)):
            problems[f"{who} on {path}"] = found
    assert not problems, problems
