"""E-mails about payment runs: treasurers hear when a run awaits export."""

from django.core import mail

from accounts.models import Profile
from payments import services
from payments.selectors import payment_run_get
from tests.conftest import TODAY


def approved_run(builder, approver, vendor, matched_invoice):
    matched_invoice(vendor, "1000.00")
    run = services.payment_run_create(user=builder, payment_date=TODAY).run
    mail.outbox.clear()
    services.payment_run_approve(run_id=run.id, user=approver)
    return run


def test_treasurers_are_emailed_when_a_run_is_approved(
    treasurer, treasurer2, approver, make_vendor, matched_invoice, settings
):
    settings.APP_BASE_URL = "https://p2p.example.com"
    acme = make_vendor("Acme Supplies GmbH", iban="DE89370400440532013000")
    run = approved_run(treasurer, approver, acme, matched_invoice)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "treasurer2@example.com",
        "treasurer@example.com",
    ]
    message = mail.outbox[0]
    assert message.subject == f"Payment run {run.number} is approved and awaits export"
    assert "was approved by approver and awaits export" in message.body
    assert "EUR 1,000.00 to 1 vendor payment (1 invoice)" in message.body
    assert f"https://p2p.example.com/payment-runs/{run.id}/" in message.body


def test_the_treasurer_who_approved_is_not_told_and_opted_out_ones_neither(
    treasurer, treasurer2, make_vendor, matched_invoice, db
):
    from tests.conftest import make_user

    third = make_user("treasurer3", "Treasurer")
    Profile.objects.create(user=third, email_payment_run_approved=False)
    acme = make_vendor("Acme Supplies GmbH", iban="DE89370400440532013000")
    run = approved_run(treasurer, treasurer2, acme, matched_invoice)

    assert payment_run_get(run_id=run.id).status == "approved"
    assert [m.to for m in mail.outbox] == [["treasurer@example.com"]]


def test_a_failing_mail_server_does_not_fail_the_runs_approval(
    treasurer, approver, make_vendor, matched_invoice, settings
):
    settings.EMAIL_BACKEND = "tests.conftest.FailingBackend"
    acme = make_vendor("Acme Supplies GmbH", iban="DE89370400440532013000")
    run = approved_run(treasurer, approver, acme, matched_invoice)
    assert payment_run_get(run_id=run.id).status == "approved"
