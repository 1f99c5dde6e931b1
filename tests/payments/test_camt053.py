import datetime as dt
from decimal import Decimal
from pathlib import Path

from payments.bank_messages import (
    BankEntry,
    MessageType,
    Outcome,
    read_bank_message,
)
from tests.payments.bank_files import camt053

SAMPLES = Path(__file__).parent / "samples"


def test_a_statement_books_and_returns_transfers():
    message = read_bank_message(
        camt053(
            entries=[
                dict(
                    end_to_end_id="e2e-1",
                    amount=Decimal("1200.00"),
                    currency="USD",
                    booking_date=dt.date(2026, 12, 1),
                    creditor_iban="GB29NWBK60161331926819",
                ),
                dict(
                    end_to_end_id="e2e-2",
                    amount=Decimal("40.00"),
                    currency="USD",
                    returned=True,
                    reason_code="AC01",
                    booking_date=dt.date(2026, 12, 2),
                ),
                dict(end_to_end_id="e2e-3", amount=Decimal("7"), status="PDNG"),
            ],
            message_id="STM-2026-12-02",
        )
    )
    assert (message.message_type, message.message_id) == (
        MessageType.CAMT053,
        "STM-2026-12-02",
    )
    assert message.entries == (
        BankEntry(
            outcome=Outcome.BOOKED,
            end_to_end_id="e2e-1",
            amount=Decimal("1200.00"),
            currency="USD",
            creditor_iban="GB29NWBK60161331926819",
            booking_date=dt.date(2026, 12, 1),
            reference="REF-1",
        ),
        BankEntry(
            outcome=Outcome.REJECTED,
            end_to_end_id="e2e-2",
            amount=Decimal("40.00"),
            currency="USD",
            booking_date=dt.date(2026, 12, 2),
            reason_code="AC01",
            reason_text="Incorrect account number",
            reference="REF-2",
        ),
    )


def test_an_empty_statement_has_no_entries():
    assert read_bank_message(camt053(entries=[])).entries == ()


def test_the_finnish_banks_sample_statement():
    """
    The Federation of Finnish Financial Services' camt.053.001.02 sample:
    two batch bookings of whole files (salaries, vendor payments), a batch
    of three transfers, credits received and the bank's charges (no answer).
    """
    message = read_bank_message((SAMPLES / "fffs-camt.053.001.02.xml").read_bytes())
    assert message.message_id == "BANKFILEID00001"
    assert [
        (e.outcome, e.original_message_id, e.amount, e.reference)
        for e in message.entries
    ] == [
        (Outcome.BOOKED, "MSGSALA0001", Decimal("1000.12"), "091029ACCTSTMTARCH01"),
        (Outcome.BOOKED, "MSGSCT0099", Decimal("4000.00"), "091029ACCTSTMTARCH02"),
        (Outcome.BOOKED, None, Decimal("2000.02"), "091029ARCH03001"),
        (Outcome.BOOKED, None, Decimal("1000.01"), "091029ARCH03002"),
        (Outcome.BOOKED, None, Decimal("1230.02"), "091029ARCH03003"),
    ]
    assert {e.booking_date for e in message.entries} == {dt.date(2009, 10, 29)}
