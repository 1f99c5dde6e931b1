"""
A payment run returned to its builder in a real browser (issue 17): the
approver opens "Return to builder…", says why, and the treasurer reads the
reason on the run and sends it for approval again.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from payments.services import payment_run_create
from tests.browser.test_procure_to_pay import flash
from tests.browser.test_proposal_total import invoices_and_credit

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


def test_an_approver_returns_the_run_and_its_builder_sends_it_again(desk, people):
    invoices_and_credit(people)
    run = payment_run_create(user=people["treasurer"], payment_date=dt.date.today()).run
    url = f"/payment-runs/{run.id}/"

    approver = desk("approver")
    approver.goto(url)
    approver.get_by_text("Return to builder…").click()
    approver.get_by_label("Why it goes back to treasurer").fill(
        "Leave INV-3 for the next run"
    )
    approver.get_by_role("button", name="Return the run to treasurer").click()
    expect(flash(approver)).to_contain_text(
        f"Payment run {run.number} returned to treasurer, who built it."
    )
    expect(approver.get_by_role("heading", level=1)).to_contain_text("Returned")
    expect(approver.get_by_role("button", name="Approve this run")).to_have_count(0)

    treasurer = desk("treasurer")
    treasurer.goto(url)
    expect(
        treasurer.get_by_role("note").filter(has_text=re.compile("Returned to"))
    ).to_contain_text("Returned to treasurer by approver: Leave INV-3 for the next run")
    treasurer.get_by_role("button", name="Send for approval again").click()
    expect(flash(treasurer)).to_contain_text("sent for approval again.")
    expect(treasurer.get_by_role("heading", level=1)).to_contain_text("Draft")
