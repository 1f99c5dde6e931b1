"""E-mails: who receives what after a PO is raised, approved or rejected."""

import datetime as dt
import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from purchasing.selectors import purchase_order_get
from purchasing.services import purchase_order_approve, purchase_order_reject
from tests.conftest import make_user, po_lines

TODAY = dt.date.today().isoformat()


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "tests.conftest.FailingBackend"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def inbox(address):
    return [m for m in mail.outbox if m.to == [address]]


def only_mail_to(address):
    (message,) = inbox(address)
    return message


@pytest.fixture
def small_approver(db):
    user = make_user("small", "Approver")
    Profile.objects.create(user=user, approval_limit="500.00")
    return user


# --- A PO awaits approval ------------------------------------------------------


def test_approvers_whose_limit_covers_a_new_po_are_emailed(
    make_po, approver, approver2, small_approver, requester, settings
):
    settings.APP_BASE_URL = "https://p2p.example.com"
    po = make_po()  # 1,100.00: above the small approver's 500.00
    assert sorted(m.to[0] for m in mail.outbox) == [
        "approver2@example.com",
        "approver@example.com",
    ]
    message = only_mail_to("approver@example.com")
    assert message.subject == f"{po.po_number} awaits your approval"
    assert "Acme Supplies GmbH, EUR 1,100.00, raised by requester" in message.body
    assert f"https://p2p.example.com/purchase-orders/{po.id}/" in message.body
    assert inbox("small@example.com") == [] and inbox("requester@example.com") == []


def test_an_approver_who_raised_the_po_is_not_asked_to_approve_it(
    active_vendor, approver
):
    from purchasing.services import purchase_order_create

    both = make_user("both", "Requester", "Approver")
    purchase_order_create(
        user=both, vendor_id=active_vendor.id, lines=po_lines(("1", "100.00"))
    )
    assert [m.to for m in mail.outbox] == [["approver@example.com"]]


def test_after_the_first_of_two_approvals_the_other_approvers_are_emailed(
    make_po, approver, approver2, requester
):
    third = make_user("approver3", "Approver")  # no profile: default limit 10,000
    po = make_po(("60", "100.00"))  # 6,000.00 needs two approvers
    mail.outbox.clear()

    purchase_order_approve(po_id=po.id, user=approver)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "approver2@example.com",
        "approver3@example.com",
    ]
    message = only_mail_to(third.email)
    assert message.subject == f"{po.po_number} awaits your second approval"
    assert "approved so far by approver" in message.body
    assert inbox("requester@example.com") == []  # not approved yet


# --- The requester hears the decision --------------------------------------------


def test_requester_is_emailed_when_the_po_is_fully_approved(
    make_po, approver, approver2, requester
):
    po = make_po(("60", "100.00"))
    purchase_order_approve(po_id=po.id, user=approver)
    assert inbox("requester@example.com") == []
    purchase_order_approve(po_id=po.id, user=approver2)

    message = only_mail_to("requester@example.com")
    assert message.subject == f"{po.po_number} is approved"
    assert "is approved by approver and approver2" in message.body


def test_requester_is_emailed_the_reason_when_the_po_is_rejected(
    make_po, approver, requester
):
    po = make_po()
    purchase_order_reject(
        po_id=po.id, user=approver, reason="Use the <framework> deal & resubmit"
    )
    message = only_mail_to("requester@example.com")
    assert message.subject == f"{po.po_number} was rejected"
    assert "was rejected by approver." in message.body
    # Plain text: the reason reads as typed, not HTML-escaped.
    assert "Reason: Use the <framework> deal & resubmit" in message.body


# --- Profile page: switching e-mails off -----------------------------------------


def test_approver_who_switches_the_email_off_gets_none_and_others_still_do(
    make_po, approver, approver2
):
    client = logged_in(approver)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "A purchase order awaits my approval" in page
    assert "Daily digest of rejected invoices" not in page  # not an AP clerk

    response = client.post(reverse("accounts:profile"), {}, follow=True)

    assert "Your e-mail preferences are saved." in response.content.decode()
    make_po()
    assert inbox("approver@example.com") == []
    assert len(inbox("approver2@example.com")) == 1


def test_requester_without_a_profile_switches_decisions_off(
    make_po, approver, requester
):
    assert not Profile.objects.filter(user=requester).exists()
    client = logged_in(requester)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "My purchase order was approved or rejected" in page
    assert "checked" in page  # on until switched off

    client.post(reverse("accounts:profile"), {})

    assert Profile.objects.get(user=requester).email_po_decided is False
    po = make_po()
    purchase_order_approve(po_id=po.id, user=approver)
    assert purchase_order_get(po_id=po.id).status == "approved"
    assert inbox("requester@example.com") == []


def test_ticking_the_box_again_switches_the_email_back_on(make_po, approver):
    Profile.objects.filter(user=approver).update(email_po_awaiting_approval=False)
    logged_in(approver).post(
        reverse("accounts:profile"), {"email_po_awaiting_approval": "on"}
    )
    make_po()
    assert len(inbox("approver@example.com")) == 1


def test_profile_page_needs_a_login(db):
    response = Client().get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- A failing mail server --------------------------------------------------------


def test_a_failing_mail_server_does_not_fail_raising_or_approving_a_po(
    make_po, approver, requester, mail_server_down, caplog
):
    with caplog.at_level(logging.ERROR, logger="accounts.notifications"):
        po = make_po()
        purchase_order_approve(po_id=po.id, user=approver)

    assert purchase_order_get(po_id=po.id).status == "approved"
    logged = [r.getMessage() for r in caplog.records]
    assert "E-mail notify_po_awaiting_approval not sent" in logged[0]
    assert "E-mail notify_po_approved not sent" in logged[1]


def test_the_approve_button_still_works_when_the_mail_server_is_down(
    make_po, approver, requester, mail_server_down
):
    po = make_po()
    response = logged_in(approver).post(
        reverse("purchasing:approve", args=[po.id]),
        {"version": po.version},
        follow=True,
    )
    assert f"{po.po_number} approved." in response.content.decode()
    assert purchase_order_get(po_id=po.id).status == "approved"
