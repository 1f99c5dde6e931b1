"""Which amount a run's early-payment discount is worked out on (settings.DISCOUNT_BASE)."""

import datetime as dt
from decimal import Decimal

from invoicing.models import Invoice
from payments.rules import settlement
from payments.selectors import payable

DAY = dt.date(2026, 12, 1)


def invoice():
    return Invoice(
        id="i1", currency="EUR", net_total=Decimal("1000.00"),
        tax_amount=Decimal("190.00"), total_amount=Decimal("1190.00"),
        due_date="2026-12-31", discount_date=DAY.isoformat(),
        discount_percent=Decimal("2"),
    )  # fmt: skip


def test_a_run_takes_the_discount_on_the_gross_by_default(settings):
    settings.DISCOUNT_BASE = "gross"
    paid = settlement(payable(invoice()), DAY)
    assert (paid.discount, paid.amount) == (Decimal("23.80"), Decimal("1166.20"))


def test_a_run_takes_the_discount_on_the_net_when_the_setting_says_net(settings):
    settings.DISCOUNT_BASE = "net"
    paid = settlement(payable(invoice()), DAY)
    assert (paid.discount, paid.amount) == (Decimal("20.00"), Decimal("1170.00"))
