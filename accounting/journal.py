"""
The journal the general ledger posts (pure, no I/O): balanced double-entry
lines for every posted document and confirmed payment.

- An invoice debits the expense account of each line's coding (net per GL
  account + cost centre + tax code), debits the input-VAT account of each tax
  code with the document's tax for that code (as printed where printed, else
  as computed) and credits the AP control account with the gross.
- A self-assessed code (reverse charge, intra-community acquisition) charges
  no tax on the document; the buyer posts base x rate both as input VAT
  (debit, the code's `gl_account`) and as output VAT (credit, the code's
  `reverse_charge_account`).
- A credit note is the reverse of an invoice.
- A confirmed payment debits AP control with each invoice it settles (its
  gross), credits AP control with each credit note it nets, credits the
  bank account of its currency with what was transferred and the discounts-
  received account with the discount taken.
- A void of a posted document reverses its entry on the void date.
- A document entered before tax codes (no tax lines) posts its tax amount to
  one input-VAT account (`JournalAccounts.legacy_input_vat`); a line without
  an account posts to the suspense account, and so does any difference
  between the gross and net + tax (a document whose totals do not add up),
  so every entry balances to the cent and a person sees what to correct.

Worked examples (accounts of the German defaults, SKR03):

    Invoice 100.00 V19 + 50.00 V7, coded 4930 / cost centre 1000:
        Dr 4930  100.00   (V19)
        Dr 4930   50.00   (V7)
        Dr 1576   19.00   (V19)
        Dr 1571    3.50   (V7)
        Cr 1600          172.50

    Invoice 1,000.00 RC19 (reverse charge, no tax on the document):
        Dr 4930 1,000.00
        Dr 1577   190.00  (input VAT, self-assessed)
        Cr 1787           190.00  (output VAT, self-assessed)
        Cr 1600         1,000.00

    Credit note 50.00 V19 on 4930:
        Dr 1600   59.50
        Cr 4930            50.00
        Cr 1576             9.50

    Payment of an invoice of 119.00 with 2% discount (2.38) in EUR:
        Dr 1600  119.00
        Cr 1200           116.62
        Cr 3730             2.38

Amounts are Decimal in the document's currency; a line's amount is never
negative (a negative net on a debit side posts as a credit).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from accounting.models import SELF_ASSESSED, VatCategory
from accounting.tax import TaxLine, self_assessed_amount
from core.money import round_money

ZERO = Decimal("0")

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
PAYMENT = "payment"
VOID = "void"


@dataclass(frozen=True)
class TaxAccounts:
    """Where one tax code posts: input VAT and, when self-assessed, output VAT."""

    gl_account: str | None
    reverse_charge_account: str | None = None


@dataclass(frozen=True)
class JournalAccounts:
    """The accounts the rules post to besides a line's own coding (settings)."""

    ap_control: str
    discount_received: str
    suspense: str
    bank_by_currency: Mapping[str, str]
    tax_codes: Mapping[str, TaxAccounts]
    # A document without tax lines posts its tax here, coded `legacy_tax_code`.
    legacy_input_vat: str
    legacy_tax_code: str | None = None

    def bank(self, currency: str) -> str:
        """The bank account of `currency`; suspense when none is set up."""
        return self.bank_by_currency.get(currency) or self.suspense


@dataclass(frozen=True)
class PostedLine:
    """One line of a posted document: its net and coding."""

    net: Decimal
    gl_account: str | None = None
    cost_centre: str | None = None
    tax_code: str | None = None


@dataclass(frozen=True)
class PostedDocument:
    """An invoice or credit note as the journal reads it."""

    id: str
    number: str
    kind: str  # INVOICE | CREDIT_NOTE
    vendor_id: str
    vendor_name: str
    currency: str
    posting_date: str  # ISO date
    lines: tuple[PostedLine, ...]
    tax_amount: Decimal
    total_amount: Decimal
    tax_lines: tuple[TaxLine, ...] | None = None
    voided_on: str | None = None  # ISO date a posted document was voided
    posted_at: str | None = None  # ISO date and time it was booked


@dataclass(frozen=True)
class SettledItem:
    """An invoice a payment settles (gross, discount) or a credit it nets."""

    document: str  # number
    total: Decimal  # an invoice's gross; a credit note's amount netted
    discount: Decimal = ZERO
    credit: bool = False


@dataclass(frozen=True)
class ConfirmedPayment:
    """One vendor payment of a confirmed payment run."""

    id: str
    run_number: str
    vendor_id: str
    vendor_name: str
    currency: str
    date: str  # ISO date the run was confirmed
    transferred: Decimal
    items: tuple[SettledItem, ...]


@dataclass(frozen=True)
class JournalLine:
    account: str
    debit: Decimal
    credit: Decimal
    cost_centre: str | None
    tax_code: str | None
    document: str
    vendor: str
    text: str = ""
    # What the line is, for the writers: "expense", "tax", "self_assessed",
    # "output_tax", "control", "bank", "discount", "suspense".
    role: str = ""


@dataclass(frozen=True)
class JournalEntry:
    id: str
    date: str  # ISO date
    kind: str  # INVOICE | CREDIT_NOTE | PAYMENT | VOID
    document: str  # number
    vendor: str  # name
    vendor_id: str
    currency: str
    lines: tuple[JournalLine, ...]
    text: str = ""
    # Posted into a period already exported (set by the service): why.
    late: str | None = None
    posted_at: str | None = None

    @property
    def debit_total(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credit_total(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)

    @property
    def balanced(self) -> bool:
        return self.debit_total == self.credit_total


class _Lines:
    """Collects signed amounts (debit positive) and turns them into lines."""

    def __init__(self, *, document: str, vendor: str, currency: str):
        self.document, self.vendor, self.currency = document, vendor, currency
        self.lines: list[JournalLine] = []

    def post(self, account, amount, *, role, cost_centre=None, tax_code=None, text=""):
        amount = round_money(amount, self.currency)
        if amount == ZERO:
            return
        zero = round_money(ZERO, self.currency)
        self.lines.append(
            JournalLine(
                account=account,
                debit=amount if amount > 0 else zero,
                credit=-amount if amount < 0 else zero,
                cost_centre=cost_centre,
                tax_code=tax_code,
                document=self.document,
                vendor=self.vendor,
                text=text,
                role=role,
            )
        )


def _swap(line: JournalLine) -> JournalLine:
    return replace(line, debit=line.credit, credit=line.debit)


def document_entry(document: PostedDocument, accounts: JournalAccounts) -> JournalEntry:
    """Return the entry that posts `document` on its posting date."""
    lines = _Lines(
        document=document.number,
        vendor=document.vendor_name,
        currency=document.currency,
    )
    # Expense per coding, in the order the codings first appear.
    nets: dict[tuple[str | None, str | None, str | None], Decimal] = {}
    for line in document.lines:
        key = (line.gl_account, line.cost_centre, line.tax_code)
        nets[key] = nets.get(key, ZERO) + line.net
    for (account, cost_centre, tax_code), net in nets.items():
        lines.post(
            account or accounts.suspense,
            net,
            role="expense" if account else "suspense",
            cost_centre=cost_centre,
            tax_code=tax_code,
            text=document.number if account else "Line without GL account",
        )
    tax_charged = ZERO
    if document.tax_lines is None:
        tax_charged = document.tax_amount
        lines.post(
            accounts.legacy_input_vat,
            document.tax_amount,
            role="tax",
            tax_code=accounts.legacy_tax_code,
            text="Input VAT",
        )
    else:
        for tax in document.tax_lines:
            code_accounts = accounts.tax_codes.get(tax.tax_code, TaxAccounts(None))
            charged = tax.printed if tax.printed is not None else tax.amount
            tax_charged += charged
            lines.post(
                code_accounts.gl_account or accounts.suspense,
                charged,
                role="tax" if code_accounts.gl_account else "suspense",
                tax_code=tax.tax_code,
                text=f"Input VAT {tax.tax_code}",
            )
            if VatCategory(tax.category) in SELF_ASSESSED:
                owed = self_assessed_amount(tax, document.currency)
                lines.post(
                    code_accounts.gl_account or accounts.suspense,
                    owed,
                    role="self_assessed",
                    tax_code=tax.tax_code,
                    text=f"Input VAT {tax.tax_code} (self-assessed)",
                )
                lines.post(
                    code_accounts.reverse_charge_account or accounts.suspense,
                    -owed,
                    role="output_tax",
                    tax_code=tax.tax_code,
                    text=f"Output VAT {tax.tax_code} (self-assessed)",
                )
    net_total = sum((line.net for line in document.lines), ZERO)
    difference = document.total_amount - net_total - tax_charged
    lines.post(
        accounts.suspense,
        difference,
        role="suspense",
        text="Gross differs from net + tax",
    )
    lines.post(
        accounts.ap_control,
        -document.total_amount,
        role="control",
        text=document.number,
    )
    result = tuple(lines.lines)
    if document.kind == CREDIT_NOTE:
        result = tuple(_swap(line) for line in result)
    return JournalEntry(
        id=document.id,
        date=document.posting_date,
        kind=document.kind,
        document=document.number,
        vendor=document.vendor_name,
        vendor_id=document.vendor_id,
        currency=document.currency,
        lines=result,
        text=("Credit note " if document.kind == CREDIT_NOTE else "Invoice ")
        + document.number,
        posted_at=document.posted_at,
    )


def void_entry(document: PostedDocument, accounts: JournalAccounts) -> JournalEntry:
    """Return the entry that reverses a posted document on its void date."""
    if not document.voided_on:
        raise ValueError(f"{document.number} is not void.")
    posted = document_entry(document, accounts)
    return replace(
        posted,
        id=f"{document.id}/void",
        date=document.voided_on,
        kind=VOID,
        lines=tuple(_swap(line) for line in posted.lines),
        text=f"Void of {document.number}",
    )


def payment_entry(payment: ConfirmedPayment, accounts: JournalAccounts) -> JournalEntry:
    """Return the entry of one vendor payment on the day its run was confirmed."""
    lines = _Lines(
        document=payment.run_number,
        vendor=payment.vendor_name,
        currency=payment.currency,
    )
    for item in payment.items:
        lines.document = item.document
        lines.post(
            accounts.ap_control,
            -item.total if item.credit else item.total,
            role="control",
            text=("Credit note " if item.credit else "Invoice ") + item.document,
        )
        lines.post(
            accounts.discount_received,
            -item.discount,
            role="discount",
            text=f"Discount on {item.document}",
        )
    lines.document = payment.run_number
    lines.post(
        accounts.bank(payment.currency),
        -payment.transferred,
        role="bank" if payment.currency in accounts.bank_by_currency else "suspense",
        text=f"Payment run {payment.run_number}",
    )
    settled = sum(
        (-i.total if i.credit else i.total - i.discount for i in payment.items), ZERO
    )
    lines.post(
        accounts.suspense,
        payment.transferred - settled,
        role="suspense",
        text="Transfer differs from the amounts settled",
    )
    return JournalEntry(
        id=payment.id,
        date=payment.date,
        kind=PAYMENT,
        document=payment.run_number,
        vendor=payment.vendor_name,
        vendor_id=payment.vendor_id,
        currency=payment.currency,
        lines=tuple(lines.lines),
        text=f"Payment run {payment.run_number}",
    )


def period_entries(
    *,
    documents: Iterable[PostedDocument],
    payments: Iterable[ConfirmedPayment],
    accounts: JournalAccounts,
    start: str,
    end: str,
) -> list[JournalEntry]:
    """
    Every entry dated within `start`..`end` (ISO dates, inclusive), by date:
    documents posted in it, voids of posted documents in it, payments.
    """
    entries = []
    for document in documents:
        if start <= document.posting_date <= end:
            entries.append(document_entry(document, accounts))
        if document.voided_on and start <= document.voided_on <= end:
            entries.append(void_entry(document, accounts))
    entries += [
        payment_entry(payment, accounts)
        for payment in payments
        if start <= payment.date <= end
    ]
    return sorted(entries, key=lambda entry: (entry.date, entry.kind == VOID, entry.id))


@dataclass(frozen=True)
class JournalTotals:
    debit: Decimal
    credit: Decimal
    entries: int
    by_currency: dict = field(default_factory=dict)  # currency -> (debit, credit)


def journal_totals(entries: Iterable[JournalEntry]) -> JournalTotals:
    """Debits and credits of `entries` per currency (equal when each balances)."""
    by_currency: dict[str, tuple[Decimal, Decimal]] = {}
    count = 0
    for entry in entries:
        count += 1
        debit, credit = by_currency.get(entry.currency, (ZERO, ZERO))
        by_currency[entry.currency] = (
            debit + entry.debit_total,
            credit + entry.credit_total,
        )
    return JournalTotals(
        debit=sum((d for d, _ in by_currency.values()), ZERO),
        credit=sum((c for _, c in by_currency.values()), ZERO),
        entries=count,
        by_currency=dict(sorted(by_currency.items())),
    )
