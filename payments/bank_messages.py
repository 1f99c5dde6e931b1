"""
What a bank's answer says, as plain data (issue 17), pure.

One parser module per ISO 20022 message reads a file into a `BankMessage`:
`payments/pain002.py` (payment status report), `payments/camt054.py` (debit
notification), `payments/camt053.py` (statement). `read_bank_message` tells
the message from its namespace, checks it against its official XSD
(shipped in `payments/schemas/`) and hands it to its parser. The import
service (`payments/bank_answers.py`) matches the entries to payments and
writes; nothing here reads or writes records.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class MessageType(StrEnum):
    PAIN002 = "pain.002"
    CAMT054 = "camt.054"
    CAMT053 = "camt.053"


class Outcome(StrEnum):
    """What an entry says of the transfer it names."""

    ACCEPTED = "accepted"  # pain.002 ACCP, ACSP, ACWC...: accepted, not booked
    BOOKED = "booked"  # a booked debit (camt Sts BOOK, CdtDbtInd DBIT)
    REJECTED = "rejected"  # pain.002 RJCT, or a return credited back (camt)


@dataclass(frozen=True)
class BankEntry:
    """
    One transfer's answer. `end_to_end_id` names the payment (the run's
    `VendorPayment.id`); an entry without one whose `original_message_id` is
    set speaks for every transfer of that pain.001 (a pain.002 rejecting a
    whole file or payment information block). Amount, currency, creditor
    IBAN and booking date are the fallback match when the EndToEndId is
    missing (some banks drop it in camt).
    """

    outcome: Outcome
    end_to_end_id: str | None = None
    original_message_id: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    creditor_iban: str | None = None
    booking_date: dt.date | None = None
    reason_code: str | None = None  # ISO 20022 external reason code: AC04, MS03
    reason_text: str | None = None  # the bank's words (AddtlInf), or the code's
    reference: str | None = None  # the bank's own reference (AcctSvcrRef, NtryRef)


@dataclass(frozen=True)
class BankMessage:
    message_type: MessageType
    message_id: str  # GrpHdr/MsgId
    created_at: dt.datetime | None
    entries: tuple[BankEntry, ...]
