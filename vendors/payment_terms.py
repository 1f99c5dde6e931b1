"""
Payment terms (domain.md "Payment terms and due dates"): parse and date maths.

`Net 30`, `Due on receipt`, `2/10 Net 30` (2% if paid within 10 days, else due
in 30), `EOM 30` (30 days after the end of the invoice month).
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal


class PaymentTermsError(ValueError):
    pass


@dataclass(frozen=True)
class PaymentTerms:
    net_days: int
    discount_percent: Decimal | None = None
    discount_days: int | None = None
    end_of_month: bool = False

    def due_date(self, invoice_date: dt.date) -> dt.date:
        start = invoice_date
        if self.end_of_month:
            last_day = calendar.monthrange(invoice_date.year, invoice_date.month)[1]
            start = invoice_date.replace(day=last_day)
        return start + dt.timedelta(days=self.net_days)

    def discount_date(self, invoice_date: dt.date) -> dt.date | None:
        if self.discount_days is None:
            return None
        return invoice_date + dt.timedelta(days=self.discount_days)


_NET = re.compile(r"^net\s*(\d{1,3})$")
_DISCOUNT = re.compile(
    r"^(\d{1,2}(?:\.\d{1,2})?)\s*/\s*(\d{1,3})\s*,?\s*net\s*(\d{1,3})$"
)
_EOM = re.compile(r"^eom\s*(\d{1,3})$")

EXAMPLES = "Net 30, Due on receipt, 2/10 Net 30 or EOM 30"


def parse_payment_terms(text: str) -> PaymentTerms:
    """Return the terms `text` describes, or raise PaymentTermsError."""
    normalised = " ".join((text or "").lower().split())
    if normalised in {"due on receipt", "on receipt", "net 0"}:
        return PaymentTerms(net_days=0)
    if match := _NET.match(normalised):
        return PaymentTerms(net_days=int(match[1]))
    if match := _EOM.match(normalised):
        return PaymentTerms(net_days=int(match[1]), end_of_month=True)
    if match := _DISCOUNT.match(normalised):
        percent, discount_days, net_days = (
            Decimal(match[1]),
            int(match[2]),
            int(match[3]),
        )
        if not (0 < percent < 100) or discount_days > net_days:
            raise PaymentTermsError(
                "The discount must be under 100% and its days within the net days."
            )
        return PaymentTerms(
            net_days=net_days, discount_percent=percent, discount_days=discount_days
        )
    raise PaymentTermsError(f"Payment terms must look like {EXAMPLES}.")
