"""A bank's answer on payments that net credit notes, that many invoices make, and at once."""

from decimal import Decimal

import pytest

from audit.selectors import audit_history
from invoicing.selectors import invoice_get
from payments import bank_answers, services
from payments.bank_answers import bank_statement_import
from payments.selectors import payment_run_get
from tests.conftest import EUR_IBAN_1, TODAY, run_together
from tests.payments import bank_files as files
from tests.payments.bank_answer_helpers import BOOKED_ON


@pytest.fixture
def netted_run(media, treasurer, approver, make_vendor, matched_invoice, credit_note):
    """An exported run paying Acme two invoices less a credit note of 200.00."""
    acme = make_vendor("Acme Supplies GmbH", iban=EUR_IBAN_1, bic="COBADEFFXXX")
    invoices = [matched_invoice(acme, "1000.00"), matched_invoice(acme, "250.50")]
    credit = credit_note(acme, "200.00", number="CN-200")
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    services.payment_run_approve(run_id=run.id, user=approver)
    run = services.payment_run_export(run_id=run.id, user=treasurer)
    [payment] = run.payments
    assert payment.amount == Decimal("1050.50")
    return run, payment, invoices, credit


def statuses(*records):
    return [invoice_get(invoice_id=r.id).status for r in records]


def rejection(run, payment) -> bytes:
    pain001 = next(f for f in run.files if f.kind == "pain001")
    return files.pain002(
        original_message_id=pain001.message_id,
        transactions=[(payment.id, "RJCT", "AM05", "Duplicate payment")],
    )


def booking(payment) -> bytes:
    return files.camt054(
        entries=[
            {
                "end_to_end_id": payment.id,
                "amount": payment.amount,
                "booking_date": BOOKED_ON,
                "creditor_iban": payment.iban,
            }
        ]
    )


def test_a_rejected_payment_releases_the_credit_note_it_netted(netted_run, treasurer):
    run, payment, invoices, credit = netted_run

    bank_statement_import(
        content=rejection(run, payment), filename="psr.xml", user=treasurer
    )

    assert statuses(*invoices, credit) == ["matched", "matched", "matched"]
    released = invoice_get(invoice_id=credit.id)
    assert released.payment_run_id is None
    assert released.credit_open == Decimal("200.00")
    assert payment_run_get(run_id=run.id).status == "confirmed"


def test_a_booked_payment_applies_its_credit_note_on_the_booking_date(
    netted_run, treasurer
):
    run, payment, invoices, credit = netted_run

    bank_statement_import(content=booking(payment), filename="n.xml", user=treasurer)

    assert statuses(*invoices, credit) == ["paid", "paid", "applied"]
    assert {invoice_get(invoice_id=i.id).paid_on for i in invoices} == {
        BOOKED_ON.isoformat()
    }


@pytest.mark.parametrize("answer", ["booked", "rejected"])
def test_a_payment_of_many_records_is_answered_in_chunks(
    netted_run, treasurer, monkeypatch, answer
):
    monkeypatch.setattr(bank_answers, "_CHUNK", 1)
    run, payment, invoices, credit = netted_run
    content = booking(payment) if answer == "booked" else rejection(run, payment)

    bank_statement_import(content=content, filename="f.xml", user=treasurer)

    expected = (
        ["paid", "paid", "applied"]
        if answer == "booked"
        else ["matched", "matched", "matched"]
    )
    assert statuses(*invoices, credit) == expected
    assert payment_run_get(run_id=run.id).status == "confirmed"


@pytest.mark.dynamodb_local_only
def test_the_same_file_imported_twice_at_once_is_applied_once(netted_run, treasurer):
    run, payment, invoices, credit = netted_run
    content = rejection(run, payment)
    results = []

    def importing():
        results.append(
            bank_statement_import(content=content, filename="psr.xml", user=treasurer)
        )

    assert run_together([importing, importing]) == ["ok", "ok"]

    assert sorted(r.already_imported for r in results) == [False, True]
    assert [r.returned for r in results if not r.already_imported] == [1]
    assert statuses(*invoices, credit) == ["matched", "matched", "matched"]
    vendor_entries = audit_history(
        entity_type="vendor", entity_id=payment.vendor_id, limit=20
    ).items
    assert [e.action for e in vendor_entries].count("HOLD") == 1
    run_entries = audit_history(entity_type="payment_run", entity_id=run.id).items
    assert [e.action for e in run_entries].count("REJECT") == 1
