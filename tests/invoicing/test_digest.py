"""`manage.py send_digest`: the daily digest of rejected invoices to AP clerks."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.models import Profile
from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get
from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve
from tests.conftest import po_lines

TODAY = dt.date.today().isoformat()


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "tests.conftest.FailingBackend"


@pytest.fixture
def rejected_and_matched(make_po, approver, clerk):
    """Two rejected invoices (price 3% over) and one matched, on one PO each."""
    invoices = {}
    for number, price in (("INV-7", "103.00"), ("INV-8", "103.00"), ("INV-9", "100")):
        po = make_po(("10", "100.00"))
        purchase_order_approve(po_id=po.id, user=approver)
        invoice = invoice_create(
            user=clerk,
            po_id=po.id,
            invoice_number=number,
            invoice_date=TODAY,
            lines=po_lines(("10", price)),
        )
        invoice_reconcile(invoice_id=invoice.id, user=clerk)
        invoices[number] = invoice_get(invoice_id=invoice.id)
    assert [i.status for i in invoices.values()] == ["rejected", "rejected", "matched"]
    mail.outbox.clear()
    return invoices


def digest(*args):
    out = io.StringIO()
    call_command("send_digest", *args, stdout=out)
    return out.getvalue()


def test_digest_emails_each_clerk_the_rejected_invoices_with_findings_and_links(
    rejected_and_matched, clerk, clerk2, settings
):
    settings.APP_BASE_URL = "https://p2p.example.com"
    output = digest()

    assert sorted(m.to[0] for m in mail.outbox) == [
        "clerk2@example.com",
        "clerk@example.com",
    ]
    (message,) = [m for m in mail.outbox if m.to == ["clerk@example.com"]]
    body = message.body
    for number in ("INV-7", "INV-8"):
        invoice = rejected_and_matched[number]
        assert f"- {number} from Acme Supplies GmbH ({invoice.po_number})" in body
        assert f"https://p2p.example.com/invoices/{invoice.id}/" in body
    assert rejected_and_matched["INV-7"].top_finding in body
    assert "INV-9" not in body  # matched
    assert "https://p2p.example.com/invoices/exceptions/" in body
    assert "2 rejected invoice(s):" in output
    assert "Sent 2 e-mail(s): clerk, clerk2." in output


def test_digest_dry_run_lists_the_invoices_and_sends_nothing(
    rejected_and_matched, clerk
):
    output = digest("--dry-run")

    assert mail.outbox == []
    assert "INV-7" in output and "INV-8" in output and "INV-9" not in output
    assert rejected_and_matched["INV-8"].top_finding in output
    assert "Dry run: would e-mail clerk; sent nothing." in output


def test_digest_skips_a_clerk_who_switched_it_off(rejected_and_matched, clerk, clerk2):
    Profile.objects.create(user=clerk2, email_rejected_invoices_digest=False)
    digest()
    assert [m.to for m in mail.outbox] == [["clerk@example.com"]]


def test_digest_without_rejected_invoices_sends_nothing(clerk):
    assert "No rejected invoices: nothing to send." in digest()
    assert mail.outbox == []


def test_digest_with_the_mail_server_down_fails_the_command(
    rejected_and_matched, clerk, mail_server_down
):
    with pytest.raises(CommandError, match="the mail server failed"):
        digest()
