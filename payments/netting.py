"""
Netting a vendor's open credit notes against a payment (issue 15), pure.

Per vendor and currency a run's transfer is what its chosen invoices come to
(each after any early-payment discount it earns) minus the open credit notes
applied to them, oldest first (by credit note date, then number). A credit
note is applied for as much as it has open, or for what is left of the
invoices when that is less: the transfer never goes below zero, a credit is
never paid out, and what a credit note does not use stays open for a later
run. Plain values in and out.

Choices where issue 15 is silent, as Oracle Payables and SAP users expect:
- The credit does not reduce the discount base: each invoice earns its
  discount on its own total, as without credits, and the credits are then
  applied to the amount payable after discounts.
- A credit note with nothing open (or a negative amount) is never applied.
- A credit note whose application comes to zero (the invoices were used up
  by older credits) is left out of the result, so a run never reserves it.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.money import round_money


@dataclass(frozen=True)
class OpenCredit:
    """A credit note that may be applied: what it still has open."""

    credit_id: str
    number: str
    credit_date: dt.date
    open_amount: Decimal


@dataclass(frozen=True)
class CreditApplication:
    """How much of one credit note a payment uses, and what stays open on it."""

    credit_id: str
    number: str
    open_amount: Decimal  # before this payment
    amount: Decimal  # applied by this payment

    @property
    def remaining(self) -> Decimal:
        return self.open_amount - self.amount


@dataclass(frozen=True)
class Netting:
    """A payment's invoices, the credits applied to them and the transfer left."""

    invoices_amount: Decimal
    applications: tuple[CreditApplication, ...]

    @property
    def credited(self) -> Decimal:
        return sum((a.amount for a in self.applications), Decimal(0))

    @property
    def transfer(self) -> Decimal:
        return self.invoices_amount - self.credited


def oldest_first(credits: Sequence[OpenCredit]) -> list[OpenCredit]:
    """The order credits are applied in: oldest credit note date, then number."""
    return sorted(credits, key=lambda c: (c.credit_date, c.number, c.credit_id))


def net_credits(
    *, invoices_amount: Decimal, credits: Sequence[OpenCredit], currency: str
) -> Netting:
    """
    Apply `credits`, oldest first, to a payment of `invoices_amount`: each for
    what it has open, at most what is still to pay; exact to the minor unit.
    """
    to_pay = round_money(max(invoices_amount, Decimal(0)), currency)
    applications = []
    for credit in oldest_first(credits):
        open_amount = round_money(credit.open_amount, currency)
        amount = min(open_amount, to_pay)
        if amount <= 0:
            continue
        applications.append(
            CreditApplication(credit.credit_id, credit.number, open_amount, amount)
        )
        to_pay -= amount
    return Netting(
        invoices_amount=round_money(invoices_amount, currency),
        applications=tuple(applications),
    )
