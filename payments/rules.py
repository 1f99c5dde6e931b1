"""
The payment rules of domain.md ("Payment terms", "Payment files"), pure.

Which matched invoices a run on a given date pays, the early-payment discount
it earns, and the remittance text the vendor sees. Plain values in and out.

Interpretation recorded here: a run proposes an invoice when it is due on or
before the payment date, or when paying it on the payment date still earns
its discount (the payment date is on or before the discount date), because
paying early is only worth it while the discount lasts.

Which amounts the rules use: a payment pays the gross total (net + tax, as
the vendor billed it); the early-payment discount is a percentage of the
gross total, or of the net total when `discount_base` is "net"
(settings.DISCOUNT_BASE), and the amount paid is always gross minus the
discount. The PO match (invoicing.matching) compares net amounts.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from core.money import round_money

# ISO 20022 RmtInf/Ustrd holds at most 140 characters.
REMITTANCE_MAX_LENGTH = 140
DISCOUNT_ON_GROSS = "gross"
DISCOUNT_ON_NET = "net"


@dataclass(frozen=True)
class PayableInvoice:
    """What a run needs to know about one matched invoice."""

    total: Decimal  # gross: net + tax
    currency: str
    due_date: dt.date
    discount_date: dt.date | None = None
    discount_percent: Decimal | None = None
    net: Decimal | None = None  # before tax; None: the gross (no tax known)
    discount_base: str = DISCOUNT_ON_GROSS

    @property
    def discount_base_amount(self) -> Decimal:
        """The amount the discount percentage applies to (gross unless "net")."""
        if self.discount_base == DISCOUNT_ON_NET and self.net is not None:
            return self.net
        return self.total


@dataclass(frozen=True)
class Settlement:
    """The amount a run pays for an invoice and the discount it takes."""

    amount: Decimal
    discount: Decimal


def earns_discount(invoice: PayableInvoice, payment_date: dt.date) -> bool:
    return bool(
        invoice.discount_percent
        and invoice.discount_date is not None
        and payment_date <= invoice.discount_date
    )


def is_payable(invoice: PayableInvoice, payment_date: dt.date) -> bool:
    """Whether a run on `payment_date` should propose the invoice."""
    return invoice.due_date <= payment_date or earns_discount(invoice, payment_date)


def settlement(invoice: PayableInvoice, payment_date: dt.date) -> Settlement:
    """
    Return the amount paid on `payment_date`: the gross total less any
    discount earned, the discount worked out on `discount_base_amount`.
    """
    discount = Decimal(0)
    if earns_discount(invoice, payment_date):
        discount = round_money(
            invoice.discount_base_amount * invoice.discount_percent / 100,
            invoice.currency,
        )
    discount = round_money(discount, invoice.currency)
    return Settlement(amount=invoice.total - discount, discount=discount)


def credit_remittance(number: str, amount: Decimal | str) -> str:
    """How the remittance names a credit note applied: "credit CN-7 -200.00"."""
    return f"credit {number} -{amount}"


def remittance_text(invoice_numbers: list[str], credits: list[str] = ()) -> str:
    """
    List the invoice numbers a payment settles, then the credit notes it
    applies (`credit_remittance`), in at most 140 characters.

    When they do not all fit, as many invoice numbers as fit are listed
    followed by "+N more" (so the vendor sees that the list goes on), and
    the credits after them: a vendor paid less than billed reads why.
    """
    invoice_numbers, credits = list(invoice_numbers), list(credits)
    text = ", ".join(invoice_numbers + credits)
    if len(text) <= REMITTANCE_MAX_LENGTH:
        return text
    for shown in range(len(invoice_numbers) - 1, 0, -1):
        more = (
            f"{', '.join(invoice_numbers[:shown])} +{len(invoice_numbers) - shown} more"
        )
        text = ", ".join([more, *credits])
        if len(text) <= REMITTANCE_MAX_LENGTH:
            return text
    if credits:
        # Not even one invoice number beside the credits: the items in order.
        return _fitted(invoice_numbers + credits)
    return _fitted(invoice_numbers)


def _fitted(items: list[str]) -> str:
    """As many of `items` as fit, then "+N more"; the first cut short if need be."""
    for shown in range(len(items) - 1, 0, -1):
        text = f"{', '.join(items[:shown])} +{len(items) - shown} more"
        if len(text) <= REMITTANCE_MAX_LENGTH:
            return text
    if len(items) == 1:
        return items[0][:REMITTANCE_MAX_LENGTH]
    suffix = f" +{len(items) - 1} more"
    return items[0][: REMITTANCE_MAX_LENGTH - len(suffix)] + suffix
