"""
The sub-ledger's rules (pure, no I/O): what a ledger entry shows as debit
and credit, the running balance, and the ageing buckets.

Sign: the vendor's account in our books. An invoice credits it (we owe
more), a credit note, a payment and the discount taken debit it; a void
reverses the document's posting. Balance = debits - credits, so a vendor we
owe 100.00 stands at -100.00: minus the sum of its open items (an invoice's
total, minus a credit note's open amount).

Worked example (EUR):
    2026-03-01  invoice INV-1        credit 119.00   balance -119.00
    2026-03-05  credit note CN-1     debit   19.00   balance -100.00
    2026-03-10  payment PR-1         debit   97.62   balance   -2.38
    2026-03-10  discount taken PR-1  debit    2.38   balance    0.00
(the run paid INV-1 at 2% discount, 116.62, less CN-1's 19.00 netted.)

Ageing as of a day: an item not yet due (due on or after it), 1-30, 31-60,
61-90 or over 90 days past its due date.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0")

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
PAYMENT = "payment"
DISCOUNT = "discount_taken"
VOID_REVERSAL = "void_reversal"

DOCUMENT_LABELS = {
    INVOICE: "Invoice",
    CREDIT_NOTE: "Credit note",
    PAYMENT: "Payment",
    DISCOUNT: "Discount taken",
    VOID_REVERSAL: "Void reversal",
}

BUCKETS = ("not_due", "1_30", "31_60", "61_90", "over_90")
BUCKET_LABELS = {
    "not_due": "Not due",
    "1_30": "1–30 days",
    "31_60": "31–60 days",
    "61_90": "61–90 days",
    "over_90": "Over 90 days",
}


@dataclass(frozen=True)
class LedgerEntryFacts:
    """What the rules need of one stored ledger entry or posted document."""

    kind: str  # invoice, credit_note, payment, void_reversal
    date: str  # ISO
    reference: str
    currency: str
    amount: Decimal  # a document's total, a payment's transfer, a reversal's
    discount: Decimal = ZERO  # a payment's discount taken
    reversed_kind: str | None = None  # a reversal's document kind
    document_id: str | None = None


@dataclass(frozen=True)
class LedgerRow:
    date: str
    document: str  # one of DOCUMENT_LABELS' keys
    reference: str
    currency: str
    debit: Decimal
    credit: Decimal
    balance: Decimal = ZERO
    document_id: str | None = None

    @property
    def effect(self) -> Decimal:
        return self.debit - self.credit

    @property
    def label(self) -> str:
        return DOCUMENT_LABELS[self.document]


def ledger_rows(entry: LedgerEntryFacts) -> list[LedgerRow]:
    """The rows one entry shows, oldest first (a payment, then its discount)."""

    def row(document, debit=ZERO, credit=ZERO):
        return LedgerRow(
            date=entry.date,
            document=document,
            reference=entry.reference,
            currency=entry.currency,
            debit=debit,
            credit=credit,
            document_id=entry.document_id,
        )

    if entry.kind == INVOICE:
        return [row(INVOICE, credit=entry.amount)]
    if entry.kind == CREDIT_NOTE:
        return [row(CREDIT_NOTE, debit=entry.amount)]
    if entry.kind == PAYMENT:
        rows = []
        if entry.amount:
            rows.append(row(PAYMENT, debit=entry.amount))
        if entry.discount:
            rows.append(row(DISCOUNT, debit=entry.discount))
        return rows
    if entry.kind == VOID_REVERSAL:
        if entry.reversed_kind == CREDIT_NOTE:
            return [row(VOID_REVERSAL, credit=entry.amount)]
        return [row(VOID_REVERSAL, debit=entry.amount)]
    raise ValueError(f"Unknown ledger entry kind {entry.kind!r}.")


def entry_effect(entry: LedgerEntryFacts) -> Decimal:
    """What the entry changes the balance by (debits - credits)."""
    return sum((r.effect for r in ledger_rows(entry)), ZERO)


def running_rows(
    entries: Iterable[LedgerEntryFacts],
    *,
    balances: dict[str, Decimal],
    newest_first: bool = False,
) -> tuple[list[LedgerRow], dict[str, Decimal]]:
    """
    The entries' rows with their running balance per currency, and the
    balances to carry on. Oldest first, `balances` are those before the
    first entry; newest first, those after it (each row shows the balance
    after itself, the next row's is before it).
    """
    balances = dict(balances)
    shown: list[LedgerRow] = []
    for entry in entries:
        rows = ledger_rows(entry)
        if newest_first:
            rows = list(reversed(rows))
        for row in rows:
            current = balances.get(row.currency, ZERO)
            if newest_first:
                shown.append(_with_balance(row, current))
                balances[row.currency] = current - row.effect
            else:
                current += row.effect
                balances[row.currency] = current
                shown.append(_with_balance(row, current))
    return shown, balances


def _with_balance(row: LedgerRow, balance: Decimal) -> LedgerRow:
    return LedgerRow(**{**row.__dict__, "balance": balance})


def balance_of(open_amounts: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """A vendor's balance per currency: minus the sum of its open items."""
    result: dict[str, Decimal] = {}
    for currency, amount in open_amounts:
        result[currency] = result.get(currency, ZERO) - amount
    return result


def ageing_bucket(due_date: dt.date, as_of: dt.date) -> str:
    """The bucket of an item due on `due_date`, aged as of `as_of`."""
    days = (as_of - due_date).days
    if days <= 0:
        return "not_due"
    if days <= 30:
        return "1_30"
    if days <= 60:
        return "31_60"
    if days <= 90:
        return "61_90"
    return "over_90"


def empty_buckets() -> dict[str, Decimal]:
    return dict.fromkeys(BUCKETS, ZERO)


def ageing(items: Iterable[tuple[dt.date, Decimal]], *, as_of: dt.date) -> dict:
    """The buckets and total of open items (due date, open amount) as of `as_of`."""
    buckets = empty_buckets()
    for due_date, amount in items:
        buckets[ageing_bucket(due_date, as_of)] += amount
    return {"buckets": buckets, "total": sum(buckets.values(), ZERO)}
