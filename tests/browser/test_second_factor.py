"""
The second factor in a real browser: a new approver sets up an authenticator
app from the page's key, keeps the recovery codes, and then may approve.
"""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from accounts.models import Profile
from purchasing.selectors import purchase_order_get
from purchasing.services import purchase_order_create
from tests.browser.conftest import CODE, PASSWORD
from tests.conftest import VALID_VENDOR, make_user, po_lines
from vendors.services import vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


def test_a_new_approver_sets_up_the_app_then_approves(anonymous, people):
    newcomer = make_user("approver3", "Approver", second_factor=False)
    Profile.objects.create(user=newcomer, approval_limit="10000.00")
    vendor = vendor_create(
        user=people["clerk"], fields={**VALID_VENDOR, "status": "active"}
    )
    po = purchase_order_create(
        user=people["requester"], vendor_id=vendor.id, lines=po_lines(("2", "50.00"))
    )
    page = anonymous

    page.goto(f"/purchase-orders/{po.id}/")
    page.get_by_label("Username", exact=True).fill("approver3")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Set up your second factor before you can act"
    )
    expect(page.get_by_role("figure", name="QR code of the key")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label(CODE).fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="Confirm and continue").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-code")).to_have_count(10)
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(f"/purchase-orders/{po.id}/$"))
    page.get_by_role("button", name=re.compile("^Approve")).click()
    expect(page.locator(".messages")).to_contain_text("approved")
    assert purchase_order_get(po_id=po.id).status == "approved"


def test_a_wrong_code_keeps_the_approver_out(anonymous, people):
    page = anonymous
    page.goto("/accounts/login/")
    page.get_by_label("Username", exact=True).fill("approver")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_label(CODE).fill("123456")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator(".errorlist")).to_contain_text("That code is not valid")
    page.goto("/purchase-orders/awaiting-approval/")
    expect(page.get_by_role("heading", name="Confirm your sign-in")).to_be_visible()
