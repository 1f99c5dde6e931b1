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


def test_a_batch_booking_speaks_for_its_whole_file():
    message = read_bank_message(
        camt053(
            entries=[
                dict(batch_message_id="FILE-3", amount=Decimal("750.00"), batch_size=3)
            ]
        )
    )
    assert message.entries == (
        BankEntry(
            outcome=Outcome.BOOKED,
            original_message_id="FILE-3",
            amount=Decimal("750.00"),
            currency="EUR",
            booking_date=dt.date(2026, 12, 2),
            reference="REF-1",
        ),
    )


def sample(name: str):
    return read_bank_message((SAMPLES / name).read_bytes())


def test_goldman_sachs_sample_usd_statement():
    """
    Goldman Sachs' camt.053.001.02 sample of a US dollar account: wires and
    ACH transfers debited, returns credited back (one with the ACH return
    code R02, one with the bank's text only), customer credits (no answer).
    """
    message = sample("goldman-sachs-camt.053.001.02-usd.xml")
    assert message.message_id == "235549650"
    assert [
        (e.outcome, e.end_to_end_id, e.amount, e.currency, e.reason_code, e.reference)
        for e in message.entries
    ] == [
        (
            Outcome.REJECTED,
            "GSGWGDNCTAHQM8",
            Decimal("10.00"),
            "USD",
            None,
            "B20092800002225",
        ),
        (Outcome.BOOKED, None, Decimal("10.00"), "USD", None, "SPB20092845886394"),
        (
            Outcome.BOOKED,
            "D2M0Y6P0D3Q0M3Z2S5T3F0X0S7G3S7V8L0S",
            Decimal("10.00"),
            "USD",
            None,
            "GI2326100013419",
        ),
        (Outcome.BOOKED, "5741412", Decimal("29.06"), "EUR", None, "GI2321400001068"),
        (
            Outcome.BOOKED,
            "GSIISSUKTI8QBQER05IK",
            Decimal("10.00"),
            "USD",
            None,
            "CHFPS1000097489",
        ),
        (
            Outcome.REJECTED,
            "GSWDEZOJDF",
            Decimal("10.00"),
            "USD",
            None,
            "GI2118700002010",
        ),
        (
            Outcome.REJECTED,
            "GSKWTHM25VCGE5",
            Decimal("10.00"),
            "USD",
            "R02",
            "B20092800008542",
        ),
        (Outcome.BOOKED, None, Decimal("10.00"), "USD", None, "PB20092845805853"),
    ]
    assert (
        message.entries[0].reason_text == "Status changed to REJECTED : REJECT REVERSAL"
    )
    assert message.entries[6].reason_text == "Account closed"  # ACH R02


def test_ings_sample_statement():
    """
    ING's camt.053.001.02 example: a return (AC04, no EndToEndId: the
    returning account names the payment) among booked debits.
    """
    message = sample("ing-camt.053.001.02.xml")
    assert [
        (e.outcome, e.end_to_end_id, e.amount, e.creditor_iban, e.reason_code)
        for e in message.entries
    ] == [
        (Outcome.REJECTED, None, Decimal("125.00"), "NL20INGB0005047249", "AC04"),
        (
            Outcome.BOOKED,
            "INGBE2EId545448451E5",
            Decimal("25.00"),
            "NL20INGB0001234567",
            None,
        ),
        (Outcome.BOOKED, None, Decimal("300.00"), None, None),
        (
            Outcome.BOOKED,
            "6010512558977000",
            Decimal("30.00"),
            "NL20INGB0001234567",
            None,
        ),
    ]
    assert message.entries[0].reason_text == "Account closed"
    assert {e.booking_date for e in message.entries} == {dt.date(2014, 1, 3)}


def test_nordeas_sample_statement():
    message = sample("nordea-camt.053.001.02.xml")
    assert [(e.outcome, e.end_to_end_id, e.amount) for e in message.entries] == [
        (Outcome.BOOKED, "20190508-E123456", Decimal("700.50")),
        (Outcome.BOOKED, None, Decimal("300.00")),
        (Outcome.BOOKED, None, Decimal("400.00")),
    ]
