"""
The mail outbox (issue 21, item 4): mails are written with the change that
causes them and sent after the response by `send_mail_outbox`, with retries,
never lost, never sent twice by two drainers.
"""

import datetime as dt

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from core import dynamo
from core.errors import StaleRecord
from core.mail_outbox import (
    LEASE,
    MailOutboxItem,
    OutboxState,
    _claim,
    outbox_drain,
    outbox_due,
    outbox_mail,
    outbox_save,
)
from purchasing import services as po_services
from purchasing.models import PurchaseOrder
from purchasing.selectors import purchase_order_get
from purchasing.services import purchase_order_approve
from tests.conftest import run_together

CALLS = []


class RecordingFailingBackend(BaseEmailBackend):
    """A mail server that is down, noting every time it is asked to send."""

    def send_messages(self, email_messages):
        CALLS.append(len(email_messages))
        raise ConnectionRefusedError("mail server down")


LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def later(settings):
    """Mails wait in the outbox, as in production (the test settings send at once)."""
    settings.MAIL_OUTBOX_SEND_AT_ONCE = False
    settings.EMAIL_BACKEND = LOCMEM
    CALLS.clear()


def stored():
    return sorted(MailOutboxItem.scan(), key=lambda item: item.created_at)


def test_an_approval_does_not_send_and_a_down_mail_server_does_not_fail_it(
    later, settings, make_po, approver, requester
):
    settings.EMAIL_BACKEND = "tests.core.test_mail_outbox.RecordingFailingBackend"
    po = make_po()
    client = Client()
    client.force_login(approver)
    response = client.post(
        reverse("purchasing:approve", args=[po.id]), {"version": po.version}
    )
    assert response.status_code == 302
    assert purchase_order_get(po_id=po.id).status == "approved"
    assert CALLS == []  # the request never spoke to the mail server
    assert mail.outbox == []
    queued = stored()
    assert [item.to for item in queued] == [
        ["approver@example.com"],
        ["requester@example.com"],
    ]
    assert queued[1].subject == f"{po.po_number} is approved"

    settings.EMAIL_BACKEND = LOCMEM
    report = outbox_drain()
    assert report.sent == 2
    assert [m.subject for m in mail.outbox][-1] == f"{po.po_number} is approved"
    assert {item.state for item in stored()} == {OutboxState.SENT}
    assert outbox_drain().sent == 0  # sent once


def test_a_decision_that_fails_writes_no_mail(later, make_po, approver, monkeypatch):
    po = make_po()
    before = len(stored())
    real = po_services.audited_update_add

    def failing(transaction, record, updates, **kwargs):
        # Someone else's change, every time: the transaction is refused.
        transaction.condition_check(
            PurchaseOrder, "no-such-po", condition=PurchaseOrder.id.exists()
        )
        return real(transaction, record, updates, **kwargs)

    monkeypatch.setattr(po_services, "audited_update_add", failing)
    monkeypatch.setattr(po_services, "retry_pause", lambda attempt: None)
    with pytest.raises(StaleRecord):
        purchase_order_approve(po_id=po.id, user=approver)
    assert len(stored()) == before


def test_a_failed_send_is_retried_with_backoff_and_counted(later, settings):
    settings.EMAIL_BACKEND = "tests.core.test_mail_outbox.RecordingFailingBackend"
    settings.MAIL_OUTBOX_MAX_ATTEMPTS = 3
    outbox_save([outbox_mail(kind="test", subject="Hi", body="b", to=["a@x.test"])])
    now = dynamo.utcnow()
    assert outbox_drain(now=now).retried == 1
    item = stored()[0]
    assert (item.attempts, item.state) == (1, OutboxState.DUE)
    assert "mail server down" in item.last_error
    assert outbox_due(now=now + dt.timedelta(seconds=30)) == []  # backing off
    assert outbox_drain(now=now + dt.timedelta(seconds=61)).retried == 1
    assert stored()[0].attempts == 2
    # The second wait is twice the first (2 minutes).
    assert outbox_due(now=now + dt.timedelta(seconds=61 + 100)) == []
    report = outbox_drain(now=now + dt.timedelta(seconds=61 + 121))
    assert report.failed == 1
    item = stored()[0]
    assert (item.attempts, item.state, item.queue) == (3, OutboxState.FAILED, None)
    assert CALLS == [1, 1, 1]


def test_a_drainer_that_dies_after_claiming_loses_no_mail(later):
    outbox_save([outbox_mail(kind="test", subject="Hi", body="b", to=["a@x.test"])])
    now = dynamo.utcnow()
    assert _claim(stored()[0], owner="dead-process", now=now)  # ... and then died
    assert outbox_drain(now=now).sent == 0  # leased to the dead drainer
    assert mail.outbox == []
    assert outbox_drain(now=now + LEASE + dt.timedelta(seconds=1)).sent == 1
    assert [m.subject for m in mail.outbox] == ["Hi"]
    assert stored()[0].attempts == 2


def test_the_command_sends_what_is_due(later, capsys):
    outbox_save(
        [
            outbox_mail(kind="test", subject=f"Mail {n}", body="b", to=["a@x.test"])
            for n in range(3)
        ]
    )
    call_command("send_mail_outbox", "--dry-run")
    assert "3 e-mail(s) due." in capsys.readouterr().out
    call_command("send_mail_outbox")
    assert "3 e-mail(s) sent" in capsys.readouterr().out
    assert sorted(m.subject for m in mail.outbox) == ["Mail 0", "Mail 1", "Mail 2"]


@pytest.mark.dynamodb_local_only
def test_two_drainers_at_once_send_each_mail_once(later):
    outbox_save(
        [
            outbox_mail(kind="test", subject=f"Mail {n}", body="b", to=["a@x.test"])
            for n in range(30)
        ]
    )
    due = outbox_due()
    reports = []

    def drain():
        reports.append(outbox_drain(limit=100))

    assert run_together([drain, drain]) == ["ok", "ok"]
    assert due and len(mail.outbox) == 30
    assert len({m.subject for m in mail.outbox}) == 30
    assert sum(r.sent for r in reports) == 30
