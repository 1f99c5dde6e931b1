"""Remittance advice: each vendor an exported run pays is told what it pays and settles."""

import datetime as dt

import pytest
from django.core import mail

from payments import services
from payments.selectors import payment_run_get
from tests.conftest import EUR_IBAN_1, EUR_IBAN_2, TODAY
from tests.payments.credit_notes import matched_credit_note
from vendors.models import Vendor


def exported(treasurer, approver):
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    services.payment_run_approve(run_id=run.id, user=approver)
    mail.outbox.clear()
    return services.payment_run_export(run_id=run.id, user=treasurer)


def advice_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def html_of(message):
    (html, content_type), *_ = message.alternatives
    assert content_type == "text/html"
    return html


@pytest.fixture
def acme(make_vendor):
    return make_vendor(
        "Acme <Supplies> & Co",
        iban=EUR_IBAN_1,
        bic="COBADEFFXXX",
        email="ar@acme.example",
    )


def test_each_vendor_gets_one_advice_per_payment_with_invoices_and_credits(
    treasurer, approver, acme, matched_invoice
):
    first = matched_invoice(acme, "1000.00", number="A-100")
    second = matched_invoice(acme, "250.50", number="A-101")
    matched_credit_note(acme, "200.00", number="CN-7")
    run = exported(treasurer, approver)

    (payment,) = run.payments
    (message,) = advice_to("ar@acme.example")
    assert message.subject == (
        f"Remittance advice from Demo Company GmbH: EUR 1,050.50 on {TODAY}"
    )
    body = message.body
    assert "Dear Acme <Supplies> & Co," in body  # plain text is not escaped
    assert (
        f"Demo Company GmbH is paying you EUR 1,050.50 by credit transfer, "
        f"to be executed on {TODAY}." in body
    )
    assert f"Payment reference (EndToEndId): {payment.id}" in body
    assert f"- {first.invoice_number}: EUR 1,000.00, paid EUR 1,000.00" in body
    assert f"- {second.invoice_number}: EUR 250.50, paid EUR 250.50" in body
    assert "Credit notes applied:\n- CN-7: EUR 200.00" in body
    assert "Total transferred: EUR 1,050.50" in body
    # No account number of anyone's in either part.
    html = html_of(message)
    for text in (body, html):
        assert EUR_IBAN_1 not in text
        assert "DE89" not in text
        assert "COBADEFF" not in text
    assert "Dear Acme &lt;Supplies&gt; &amp; Co," in html
    assert "<td>CN-7</td><td>EUR 200.00</td>" in html
    assert f"<code>{payment.id}</code>" in html


def test_the_discount_taken_is_named(treasurer, approver, make_vendor, matched_invoice):
    bureau = make_vendor(
        "Bureau Fournitures SA",
        iban=EUR_IBAN_2,
        payment_terms="2/10 Net 30",
        email="compta@bureau.example",
    )
    # Dated five days ago: paid today it still earns its 2% discount.
    invoice = matched_invoice(
        bureau, "1000.00", invoice_date=TODAY - dt.timedelta(days=5), number="B-1"
    )
    exported(treasurer, approver)
    (message,) = advice_to("compta@bureau.example")
    assert (
        f"- {invoice.invoice_number}: EUR 1,000.00, less EUR 20.00 early-payment "
        "discount, paid EUR 980.00" in message.body
    )
    assert "Early-payment discount taken: EUR 20.00" in message.body
    assert "Total transferred: EUR 980.00" in message.body


def test_a_payment_settled_by_credits_alone_is_announced_without_a_transfer(
    treasurer, approver, acme, matched_invoice
):
    matched_invoice(acme, "100.00", number="A-1")
    matched_credit_note(acme, "300.00", number="CN-9")
    run = exported(treasurer, approver)
    assert run.payments[0].amount == 0
    (message,) = advice_to("ar@acme.example")
    assert "settled the invoices below with your credit notes" in message.body
    assert "no transfer is made" in message.body
    assert "- CN-9: EUR 100.00" in message.body
    assert "Total settled: EUR 0.00" in message.body


def test_a_vendor_with_remittance_advice_switched_off_gets_none(
    treasurer, approver, acme, make_vendor, matched_invoice
):
    quiet = make_vendor(
        "Quiet Ltd", iban=EUR_IBAN_2, email="ap@quiet.example", tax_id=None
    )
    Vendor.get(quiet.id).update(actions=[Vendor.remittance_advice.set(False)])
    matched_invoice(acme, "100.00", number="A-1")
    matched_invoice(quiet, "100.00", number="Q-1")
    run = exported(treasurer, approver)
    assert payment_run_get(run_id=run.id).status == "exported"
    assert len(run.payments) == 2
    assert [m.to for m in mail.outbox if "Remittance" in m.subject] == [
        ["ar@acme.example"]
    ]


def test_nothing_is_sent_before_the_export(treasurer, approver, acme, matched_invoice):
    matched_invoice(acme, "100.00", number="A-1")
    mail.outbox.clear()
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    services.payment_run_approve(run_id=run.id, user=approver)
    assert advice_to("ar@acme.example") == []


def test_a_failing_mail_server_does_not_fail_the_export(
    treasurer, approver, acme, matched_invoice, settings
):
    matched_invoice(acme, "100.00", number="A-1")
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    services.payment_run_approve(run_id=run.id, user=approver)
    settings.EMAIL_BACKEND = "tests.conftest.FailingBackend"
    services.payment_run_export(run_id=run.id, user=treasurer)
    assert payment_run_get(run_id=run.id).status == "exported"
