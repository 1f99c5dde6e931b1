"""
The ISO 20022 debit/credit notification (`camt.054.001.08`, `.02`), pure.

The bank's word that a transfer left the account (or came back). Each
booked entry (`Ntry`, status BOOK) says, per transaction (`NtryDtls/TxDtls`):

- a booked debit (DBIT) → booked, on the entry's booking date;
- a credit that is a return of a transfer (it carries `RtrInf`, or its bank
  transaction code's sub-family is RRTN, or it reverses a debit:
  `RvslInd` true) → rejected, with the return's reason code and text, and
  the original transfer's EndToEndId;
- any other credit (a customer paying us) or a reversed credit → nothing;
- nor the bank's own bookings: charges, interest, taxes (bank transaction
  code sub-family CHRG, COMM, FEES, INTR, TAXE) or another domain than
  payments (PMNT).

Entries still pending or for information (PDNG, INFO, FUTR) are skipped. An
entry without transaction details (or with a single one that names no
EndToEndId) is one answer of its own: its amount, and its batch's `MsgId`
as the original message when the bank booked a whole pain.001 at once
(batch booking). `entries` reads the `Ntry` elements of any account
report, so `camt053` reads a statement's entries with it.
"""

from payments.bank_messages import (
    BankEntry,
    BankMessage,
    MessageType,
    Outcome,
    amount,
    end_to_end_id,
    find,
    find_all,
    iso_date,
    iso_datetime,
    text,
)
from payments.pain002 import reason

BOOKED = "BOOK"
RETURN_SUB_FAMILY = "RRTN"
PAYMENTS_DOMAIN = "PMNT"
# ISO bank transaction sub-families that are the bank's own bookings.
NOT_TRANSFERS = frozenset({"CHRG", "COMM", "FEES", "INTR", "TAXE"})


def _status(entry) -> str | None:
    # .02: <Sts>BOOK</Sts>; .08: <Sts><Cd>BOOK</Cd></Sts>
    return text(entry, "Sts/Cd") or text(entry, "Sts")


def _is_return(entry, transaction) -> bool:
    return (
        find(transaction, "RtrInf") is not None
        or text(transaction, "BkTxCd/Domn/Fmly/SubFmlyCd") == RETURN_SUB_FAMILY
        or text(entry, "BkTxCd/Domn/Fmly/SubFmlyCd") == RETURN_SUB_FAMILY
        or text(entry, "RvslInd") == "true"
    )


def _is_transfer(entry, transaction) -> bool:
    """
    Whether the bank transaction codes (the entry's and the transaction's)
    leave the booking a payment: not the bank's charges, interest or taxes,
    nor another domain than payments (securities, foreign exchange...).
    Without a code (optional in .02), it is taken for one.
    """
    codes = [find(entry, "BkTxCd/Domn"), find(transaction, "BkTxCd/Domn")]
    return all(
        text(code, "Cd") == PAYMENTS_DOMAIN
        and text(code, "Fmly/SubFmlyCd") not in NOT_TRANSFERS
        for code in codes
        if code is not None
    )


def _outcome(entry, transaction) -> Outcome | None:
    # .08 lets a transaction say its own direction inside a mixed batch.
    direction = text(transaction, "CdtDbtInd") or text(entry, "CdtDbtInd")
    reversal = text(entry, "RvslInd") == "true"
    if not _is_transfer(entry, transaction):
        return None
    if direction == "DBIT":
        return None if reversal else Outcome.BOOKED
    if direction == "CRDT" and _is_return(entry, transaction):
        return Outcome.REJECTED
    return None


def _counterparty_iban(transaction, outcome: Outcome, own_iban: str | None):
    """
    The IBAN of the transfer's creditor. A return credited back names it as
    the creditor (the original roles) or as the debtor (the return's roles),
    depending on the bank: the party that is not the account reported.
    """
    creditor = text(transaction, "RltdPties/CdtrAcct/Id/IBAN")
    if outcome is not Outcome.REJECTED:
        return creditor
    debtor = text(transaction, "RltdPties/DbtrAcct/Id/IBAN")
    candidates = [iban for iban in (creditor, debtor) if iban and iban != own_iban]
    return candidates[0] if candidates else None


def _transaction(
    entry, transaction, *, only: bool, own_iban: str | None
) -> BankEntry | None:
    """One `TxDtls` of `entry`; `only` when it is the entry's single one."""
    outcome = _outcome(entry, transaction)
    if outcome is None:
        return None
    value, currency = amount(transaction, "Amt")
    if value is None:
        value, currency = amount(transaction, "AmtDtls/TxAmt/Amt")
    if value is None and only:
        value, currency = amount(entry, "Amt")
    code = reason_text = None
    if outcome is Outcome.REJECTED:
        code, reason_text = reason(find(transaction, "RtrInf"))
    e2e = end_to_end_id(text(transaction, "Refs/EndToEndId"))
    if e2e:
        message_id = text(transaction, "Refs/MsgId")
    else:
        # Alone, a message id speaks for the whole file: only for the
        # single transaction of a batch booking.
        message_id = _batch_message_id(entry) if only else None
    return BankEntry(
        outcome=outcome,
        end_to_end_id=e2e,
        original_message_id=message_id,
        amount=value,
        currency=currency,
        creditor_iban=_counterparty_iban(transaction, outcome, own_iban),
        booking_date=iso_date(entry, "BookgDt"),
        reason_code=code,
        reason_text=reason_text,
        reference=(
            text(transaction, "Refs/AcctSvcrRef")
            or text(entry, "AcctSvcrRef")
            or text(entry, "NtryRef")
        ),
    )


def _batch_message_id(entry) -> str | None:
    """
    The pain.001 an entry books as a whole (batch booking: `Btch/MsgId`),
    unless its batch is a single transfer.
    """
    if text(entry, "NtryDtls/Btch/NbOfTxs") == "1":
        return None
    return text(entry, "NtryDtls/Btch/MsgId")


def _entry_alone(entry) -> BankEntry | None:
    """An entry the bank gave no transaction details for."""
    outcome = _outcome(entry, None)
    if outcome is None:
        return None
    value, currency = amount(entry, "Amt")
    return BankEntry(
        outcome=outcome,
        original_message_id=_batch_message_id(entry),
        amount=value,
        currency=currency,
        booking_date=iso_date(entry, "BookgDt"),
        reference=text(entry, "AcctSvcrRef") or text(entry, "NtryRef"),
    )


def entry_answers(entry, *, own_iban: str | None = None) -> list[BankEntry]:
    """
    What one `Ntry` says of the transfers it books: one answer per TxDtls.
    `own_iban` is the account reported (to tell the counterparty of a return).
    """
    if _status(entry) != BOOKED:
        return []
    transactions = find_all(entry, "NtryDtls/TxDtls")
    if not transactions:
        answers = [_entry_alone(entry)]
    else:
        only = len(transactions) == 1
        answers = [
            _transaction(entry, t, only=only, own_iban=own_iban) for t in transactions
        ]
    return [answer for answer in answers if answer is not None]


def entries(reports: list) -> tuple[BankEntry, ...]:
    """The answers of every `Ntry` of `reports` (camt.054 Ntfctn, camt.053 Stmt)."""
    return tuple(
        answer
        for report in reports
        for entry in find_all(report, "Ntry")
        for answer in entry_answers(entry, own_iban=text(report, "Acct/Id/IBAN"))
    )


def read_report(root, *, message_type: MessageType, tag: str, report: str):
    """
    Read a bank-to-customer cash report: the `tag` message (its `GrpHdr`)
    and the entries of its `report` elements (`Ntfctn`, `Stmt`).
    """
    message = find(root, tag)
    return BankMessage(
        message_type=message_type,
        message_id=text(message, "GrpHdr/MsgId"),
        created_at=iso_datetime(text(message, "GrpHdr/CreDtTm")),
        entries=entries(find_all(message, report)),
    )


def parse(root) -> BankMessage:
    """Read a camt.054 `Document` element into a `BankMessage`."""
    return read_report(
        root,
        message_type=MessageType.CAMT054,
        tag="BkToCstmrDbtCdtNtfctn",
        report="Ntfctn",
    )
