"""
Money movers (Approvers, Treasurers, Admins) confirm each sign-in with a
second factor (TOTP, or a recovery code) before they may act.
"""

import re
from base64 import b32decode
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Profile
from audit.selectors import audit_history
from core.errors import PermissionDenied
from payments.checks import acts_on_runs, role_check
from purchasing.selectors import purchase_order_get
from purchasing.services import purchase_order_approve
from tests.api_client import bearer, send
from tests.conftest import make_user, totp_code

PASSWORD = "pw-for-tests-1"
RULE = (
    "Approvers, Treasurers and Admins must confirm their sign-in with a second "
    "factor (a code from their authenticator app) before they"
)
VERIFY = "/accounts/profile/two-factor/verify/"
ENROL = "/accounts/profile/two-factor/"


def password_only(username: str) -> Client:
    """A browser signed in with the password alone, as after the login form."""
    client = Client()
    response = client.post(
        reverse("login"), {"username": username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def approver_without_device(db):
    user = make_user("approver3", "Approver", second_factor=False)
    Profile.objects.create(user=user, approval_limit="10000.00")
    return user


def test_an_approver_without_a_second_factor_is_refused_approval(
    approver_without_device, make_po
):
    po = make_po(("1", "100.00"))

    with pytest.raises(PermissionDenied) as refused:
        purchase_order_approve(po_id=po.id, user=approver_without_device)

    assert refused.value.message.startswith(RULE + " approve purchase orders.")
    assert purchase_order_get(po_id=po.id).status == "pending"
    assert [e.action for e in audit_history(entity_type="purchase_order",
                                            entity_id=po.id).items] == ["CREATE"]  # fmt: skip


def test_an_approver_with_a_verified_second_factor_approves(approver, make_po):
    po = make_po(("1", "100.00"))

    assert purchase_order_approve(po_id=po.id, user=approver).status == "approved"


def test_a_treasurer_without_a_second_factor_may_not_export_or_approve_runs(db):
    treasurer = make_user("treasurer9", "Treasurer", second_factor=False)

    for action in ("export", "approve", "build"):
        with pytest.raises(PermissionDenied, match=re.escape(RULE)):
            role_check(treasurer, action)
    # Refused before acting: nothing on the trail (payments.checks.acts_on_runs).
    assert not acts_on_runs(treasurer)


def test_clerks_act_without_a_second_factor(db, vendor_fields):
    from vendors.services import vendor_create

    clerk = make_user("clerk9", "AP Clerk", second_factor=False)
    client = password_only("clerk9")

    assert client.get("/").status_code == 200
    assert vendor_create(user=clerk, fields=vendor_fields).name


def test_password_alone_leads_to_the_code_and_no_approval(approver, make_po):
    po = make_po(("1", "100.00"))
    client = password_only("approver")

    page = client.get(f"/purchase-orders/{po.id}/")
    assert page.status_code == 302
    assert page["Location"] == f"{VERIFY}?next=/purchase-orders/{po.id}/"
    click = client.post(f"/purchase-orders/{po.id}/approve/", {"version": po.version})
    assert click.status_code == 302 and click["Location"].startswith(VERIFY)
    # The API with the same session: the service itself refuses, naming the rule.
    api = send("put", f"/api/v1/purchase-orders/{po.id}/approve", {}, {}, client)
    assert api.status_code == 403
    assert api.json()["detail"].startswith(RULE + " approve purchase orders.")
    assert purchase_order_get(po_id=po.id).status == "pending"

    form = client.get(page["Location"])
    assert "Enter the 6-digit code" in form.content.decode()
    device = TOTPDevice.objects.get(user=approver)
    verified = client.post(page["Location"], {"code": totp_code(device)}, follow=True)
    assert verified.redirect_chain[-1][0] == f"/purchase-orders/{po.id}/"
    approved = client.post(
        f"/purchase-orders/{po.id}/approve/", {"version": po.version}, follow=True
    )
    assert "approved" in approved.content.decode()
    assert purchase_order_get(po_id=po.id).status == "approved"


def test_the_code_page_offers_no_menu_until_the_code_is_entered(approver):
    client = password_only("approver")

    form = client.get(VERIFY).content.decode()
    assert "Awaiting my approval" not in form and 'role="search"' not in form
    assert "Log out" in form
    device = TOTPDevice.objects.get(user=approver)
    home = client.post(VERIFY, {"code": totp_code(device)}, follow=True)
    assert "Awaiting my approval" in home.content.decode()


def test_a_wrong_code_is_refused_and_keeps_the_user_unverified(approver):
    client = password_only("approver")

    response = client.post(VERIFY, {"code": "000000"})

    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()
    assert client.get("/")["Location"].startswith(VERIFY)


def test_a_money_mover_without_a_device_is_told_to_enrol_first(
    approver_without_device, make_po
):
    po = make_po(("1", "100.00"))
    client = password_only("approver3")

    page = client.get("/", follow=True)
    assert page.redirect_chain[-1][0] == f"{ENROL}?next=/"
    html = page.content.decode()
    assert "Set up your second factor before you can act" in html
    assert "Approvers, Treasurers and Admins" in html
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert "<svg" in html  # the QR code of the otpauth:// address

    device = TOTPDevice.objects.get(user=approver_without_device, confirmed=False)
    assert secret.replace(" ", "") == device.config_url.split("secret=")[1][:32]
    done = client.post(f"{ENROL}?next=/", {"code": totp_code(device)})
    codes = re.findall(r'<li><code class="recovery-code">(\w+)</code></li>',
                       done.content.decode())  # fmt: skip
    assert len(codes) == 10
    assert "shown only once" in done.content.decode()

    approved = client.post(
        f"/purchase-orders/{po.id}/approve/", {"version": po.version}
    )
    assert approved.status_code == 302
    assert purchase_order_get(po_id=po.id).status == "approved"


def test_a_recovery_code_signs_in_once(approver):
    client = password_only("approver")
    codes = client.post("/accounts/profile/two-factor/recovery-codes/")
    assert codes.status_code == 302  # unverified: the code first
    device = StaticDevice.objects.create(user=approver, name="Recovery codes")
    device.token_set.create(token="recover1234")

    assert client.post(VERIFY, {"code": "recover1234"}).status_code == 302
    assert client.get("/").status_code == 200

    again = password_only("approver")
    refused = again.post(VERIFY, {"code": "recover1234"})
    assert "That code is not valid" in refused.content.decode()
    assert again.get("/")["Location"].startswith(VERIFY)


def test_recovery_codes_alone_are_asked_for_before_a_new_app_is_set_up(db):
    clerk = make_user("clerk7", "AP Clerk", second_factor=False)
    device = StaticDevice.objects.create(user=clerk, name="Recovery codes")
    device.token_set.create(token="recover5678")
    client = password_only("clerk7")

    answer = client.get(ENROL)
    assert answer.status_code == 302 and answer["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": "recover5678"}).status_code == 302
    assert client.get(ENROL).status_code == 200  # now the app may be set up


def test_the_admin_needs_the_second_factor(db):
    admin = make_user("admin", superuser=True)
    admin.is_staff = True
    admin.save()
    client = password_only("admin")

    response = client.get("/admin/auth/user/")

    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=/admin/auth/user/"


def test_the_admin_site_refuses_an_unverified_admin_itself(db, rf):
    from django.contrib import admin as django_admin

    user = make_user("admin", superuser=True, second_factor=False)
    user.is_staff = True
    request = rf.get("/admin/")
    request.user = user

    assert not django_admin.site.has_permission(request)


def test_an_approvers_api_token_is_a_credential_of_its_own(
    approver_without_device, make_po
):
    """Tokens are issued by an Admin (verified) and stand in for the sign-in."""
    po = make_po(("1", "100.00"))

    response = send(
        "put",
        f"/api/v1/purchase-orders/{po.id}/approve",
        {},
        bearer(approver_without_device),
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"


def test_demo_seed_prints_how_its_money_movers_sign_in(db, settings):
    from django_otp.oath import totp

    out = StringIO()
    call_command("seed_demo", "--password", "first-pass-123", stdout=out)

    printed = out.getvalue()
    for username in ("approver", "approver2", "treasurer", "admin"):
        match = re.search(rf"{username}: TOTP secret ([A-Z2-7]+)", printed)
        assert match, printed
        device = TOTPDevice.objects.get(user__username=username)
        assert device.verify_token(totp(b32decode(match.group(1))))
    assert "clerk: TOTP" not in printed


def test_seed_outside_debug_never_prints_a_key_it_did_not_just_make(db, settings):
    settings.DEBUG = False
    first = StringIO()
    call_command("seed_demo", "--password", "first-pass-123", stdout=first)
    keys = re.findall(r"approver: TOTP secret ([A-Z2-7]+)", first.getvalue())
    assert len(keys) == 1  # a random key, shown the once it is made

    again = StringIO()
    call_command("seed_demo", "--password", "first-pass-123", stdout=again)
    assert keys[0] not in again.getvalue()
    assert "approver: kept their authenticator" in again.getvalue()


def test_a_password_alone_reads_nothing_through_the_api(treasurer, make_vendor):
    vendor = make_vendor("Acme Supplies GmbH", iban="DE89370400440532013000")
    client = password_only("treasurer")

    for path in (f"/api/v1/vendors/{vendor.id}", "/api/v1/payment-runs"):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert answer.json()["detail"].startswith(RULE + " read business records.")
        assert "DE89370400440532013000" not in answer.content.decode()
