import datetime as dt
from decimal import Decimal
from pathlib import Path

from payments.bank_messages import (
    BankEntry,
    MessageType,
    Outcome,
    read_bank_message,
)
from tests.payments.bank_files import pain002

ORIGINAL = "0123456789abcdef0123456789abcdef"


def test_a_rejected_transfer_names_its_payment_reason_and_the_banks_text():
    message = read_bank_message(
        pain002(
            original_message_id=ORIGINAL,
            transactions=[("e2e-1", "RJCT", "AC04", "Konto aufgeloest")],
            message_id="PSR-42",
        )
    )
    assert message.message_type is MessageType.PAIN002
    assert message.message_id == "PSR-42"
    assert message.created_at == dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
    assert message.entries == (
        BankEntry(
            outcome=Outcome.REJECTED,
            end_to_end_id="e2e-1",
            original_message_id=ORIGINAL,
            reason_code="AC04",
            reason_text="Konto aufgeloest",
            reference="PSR-42-1",
        ),
    )


def test_a_rejection_without_the_banks_text_gets_the_codes_name():
    message = read_bank_message(
        pain002(original_message_id=ORIGINAL, transactions=[("e2e-1", "RJCT", "MS03")])
    )
    (entry,) = message.entries
    assert (entry.reason_code, entry.reason_text) == (
        "MS03",
        "Reason not specified by the bank",
    )


def test_an_unknown_code_without_text_keeps_the_code_alone():
    message = read_bank_message(
        pain002(original_message_id=ORIGINAL, transactions=[("e2e-1", "RJCT", "XT99")])
    )
    (entry,) = message.entries
    assert (entry.reason_code, entry.reason_text) == ("XT99", None)


def test_each_accepted_status_is_accepted_and_pending_says_nothing_yet():
    statuses = ["ACCP", "ACSP", "ACSC", "ACWC", "ACTC", "ACCC", "PDNG", "RCVD"]
    message = read_bank_message(
        pain002(
            original_message_id=ORIGINAL,
            transactions=[(f"e2e-{s}", s) for s in statuses],
            group_status="PART",
        )
    )
    assert [(e.end_to_end_id, e.outcome) for e in message.entries] == [
        (f"e2e-{s}", Outcome.ACCEPTED) for s in statuses[:6]
    ]
    assert all(e.reason_code is None for e in message.entries)


def test_a_partly_accepted_file_answers_transfer_by_transfer():
    message = read_bank_message(
        pain002(
            original_message_id=ORIGINAL,
            transactions=[
                ("e2e-1", "ACSC"),
                ("e2e-2", "RJCT", "AC01", "IBAN unknown"),
                ("e2e-3", "ACSC"),
            ],
            group_status="PART",
        )
    )
    assert [(e.end_to_end_id, e.outcome, e.reason_code) for e in message.entries] == [
        ("e2e-1", Outcome.ACCEPTED, None),
        ("e2e-2", Outcome.REJECTED, "AC01"),
        ("e2e-3", Outcome.ACCEPTED, None),
    ]


def test_a_whole_file_rejected_is_one_entry_for_the_file():
    message = read_bank_message(
        pain002(
            original_message_id=ORIGINAL,
            group_status="RJCT",
            group_reason=("FF01", None),
        )
    )
    assert message.entries == (
        BankEntry(
            outcome=Outcome.REJECTED,
            original_message_id=ORIGINAL,
            reason_code="FF01",
            reason_text="Invalid file format",
        ),
    )


def test_a_file_accepted_as_a_whole_is_one_accepted_entry():
    message = read_bank_message(
        pain002(original_message_id=ORIGINAL, group_status="ACTC")
    )
    assert message.entries == (
        BankEntry(outcome=Outcome.ACCEPTED, original_message_id=ORIGINAL),
    )


def test_a_file_only_received_says_nothing_yet():
    message = read_bank_message(
        pain002(original_message_id=ORIGINAL, group_status="RCVD")
    )
    assert message.entries == ()


def test_the_original_amount_currency_and_creditor_iban_are_read():
    message = read_bank_message(
        pain002(
            original_message_id=ORIGINAL,
            transactions=[
                dict(
                    end_to_end_id="e2e-1",
                    status="RJCT",
                    reason_code="BE04",
                    amount=Decimal("1200.50"),
                    currency="USD",
                    creditor_iban="FR7630006000011234567890189",
                )
            ],
        )
    )
    (entry,) = message.entries
    assert (entry.amount, entry.currency, entry.creditor_iban) == (
        Decimal("1200.50"),
        "USD",
        "FR7630006000011234567890189",
    )
    assert entry.reason_text == "Creditor address missing or incorrect"


def test_notprovided_is_no_end_to_end_id():
    message = read_bank_message(
        pain002(original_message_id=ORIGINAL, transactions=[(None, "RJCT", "AC04")])
    )
    (entry,) = message.entries
    assert entry.end_to_end_id is None
    assert entry.original_message_id == ORIGINAL


# --- Payment information blocks and the older version, written as banks do --

PAIN002_03 = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>
    <GrpHdr>
      <MsgId>STATUS-0815</MsgId>
      <CreDtTm>2026-12-01T17:45:12.123456789+01:00</CreDtTm>
    </GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>FILE-1</OrgnlMsgId>
      <OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>
      <GrpSts>PART</GrpSts>
    </OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>FILE-1-EUR</OrgnlPmtInfId>
      <PmtInfSts>RJCT</PmtInfSts>
      <StsRsnInf>
        <Rsn><Cd>AM04</Cd></Rsn>
        <AddtlInf>Deckung nicht ausreichend.</AddtlInf>
        <AddtlInf>Bitte erneut einreichen.</AddtlInf>
      </StsRsnInf>
    </OrgnlPmtInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>FILE-1-USD</OrgnlPmtInfId>
      <TxInfAndSts>
        <StsId>S-1</StsId>
        <OrgnlEndToEndId>e2e-9</OrgnlEndToEndId>
        <TxSts>RJCT</TxSts>
        <StsRsnInf>
          <Rsn><Prtry>BANK42</Prtry></Rsn>
        </StsRsnInf>
        <AcctSvcrRef>BANKREF-9</AcctSvcrRef>
        <OrgnlTxRef>
          <Amt><InstdAmt Ccy="USD">75.00</InstdAmt></Amt>
          <CdtrAcct><Id><IBAN>GB29NWBK60161331926819</IBAN></Id></CdtrAcct>
        </OrgnlTxRef>
      </TxInfAndSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"""


def test_transfers_answer_first_then_a_rejected_block_of_a_pain002_001_03():
    message = read_bank_message(PAIN002_03)
    assert message.message_id == "STATUS-0815"
    assert message.created_at == dt.datetime(
        2026, 12, 1, 17, 45, 12, 123456, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )
    assert message.entries == (
        BankEntry(
            outcome=Outcome.REJECTED,
            end_to_end_id="e2e-9",
            original_message_id="FILE-1",
            amount=Decimal("75.00"),
            currency="USD",
            creditor_iban="GB29NWBK60161331926819",
            reason_code="BANK42",
            reference="BANKREF-9",
        ),
        BankEntry(
            outcome=Outcome.REJECTED,
            original_message_id="FILE-1",
            reason_code="AM04",
            reason_text="Deckung nicht ausreichend. Bitte erneut einreichen.",
            reference="FILE-1-EUR",
        ),
    )


def test_a_rejected_file_is_one_entry_even_when_its_blocks_are_rejected_too():
    message = read_bank_message(
        PAIN002_03.replace(b"<GrpSts>PART</GrpSts>", b"<GrpSts>RJCT</GrpSts>")
    )
    assert [
        (e.end_to_end_id, e.original_message_id, e.reference) for e in message.entries
    ] == [
        ("e2e-9", "FILE-1", "BANKREF-9"),
        (None, "FILE-1", None),
    ]
    assert {e.outcome for e in message.entries} == {Outcome.REJECTED}


def test_a_rejected_payment_block_speaks_for_the_file():
    message = read_bank_message(
        pain002(
            original_message_id=ORIGINAL,
            payment_status="RJCT",
            payment_reason=("AM04", None),
        )
    )
    assert message.entries == (
        BankEntry(
            outcome=Outcome.REJECTED,
            original_message_id=ORIGINAL,
            reason_code="AM04",
            reason_text="Insufficient funds",
            reference=f"{ORIGINAL[:30]}-PMT",
        ),
    )


# --- Real samples ------------------------------------------------------------

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str):
    return read_bank_message((SAMPLES / name).read_bytes())


def test_nordeas_sample_rejecting_two_transfers():
    message = sample("nordea-pain.002.001.03-transfers-rejected.xml")
    assert (message.message_id, message.created_at) == (
        "XML990920150728124014189",
        dt.datetime(2015, 7, 28, 10, 40, 14, tzinfo=dt.UTC),
    )
    reason = "CAP Invalid code or combinations in CategoryPurpose or ServiceLevel"
    assert message.entries == (
        BankEntry(
            outcome=Outcome.REJECTED,
            end_to_end_id="ENDTOENDID-950-TEST2-2807-02",
            original_message_id="MSGID-950-TEST2-2807-01",
            reason_code="NARR",
            reason_text=reason,
        ),
        BankEntry(
            outcome=Outcome.REJECTED,
            end_to_end_id="ENDTOENDID-950-TEST2-2807-01",
            original_message_id="MSGID-950-TEST2-2807-01",
            reason_code="NARR",
            reason_text=reason,
        ),
        # Its block is rejected too (PmtInfSts RJCT), with no reason of its own.
        BankEntry(
            outcome=Outcome.REJECTED,
            original_message_id="MSGID-950-TEST2-2807-01",
            reference="PMTINFID-950-TEST2-2807-01",
        ),
    )


def test_nordeas_sample_rejecting_a_payment_block():
    message = sample("nordea-pain.002.001.03-payment-rejected.xml")
    assert message.entries == (
        BankEntry(
            outcome=Outcome.REJECTED,
            original_message_id="MSGID-COM-SCE25-1707-01",
            reason_code="NARR",
            reason_text="CAP Invalid code or combinations in CategoryPurpose or "
            "ServiceLevel",
            reference="PMTINFID-COM-SCE25-1707-01",
        ),
    )


def test_nordeas_sample_rejecting_a_duplicate_file():
    message = sample("nordea-pain.002.001.03-file-rejected.xml")
    assert message.entries == (
        BankEntry(
            outcome=Outcome.REJECTED,
            original_message_id="MSGID-PS-TEST-0708-01",
            reason_code="DU01",
            reason_text="ISO Duplicate Message ID",
        ),
    )


def test_goldman_sachs_sample_accepting_a_payment_block():
    message = sample("goldman-sachs-pain.002.001.03-payment-accepted.xml")
    assert message.entries == (
        BankEntry(
            outcome=Outcome.ACCEPTED,
            original_message_id="XXX001_20220315_B_DZSOXXXX",
            reference="xxx001220315B000XXXX",
        ),
    )
