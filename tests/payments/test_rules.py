import datetime as dt
from decimal import Decimal

from payments.rules import (
    REMITTANCE_MAX_LENGTH,
    PayableInvoice,
    is_payable,
    remittance_text,
    settlement,
)

DAY = dt.date(2026, 12, 1)


def invoice(total="1234.57", due=DAY, discount_date=None, percent=None, currency="EUR"):
    return PayableInvoice(
        total=Decimal(total),
        currency=currency,
        due_date=due,
        discount_date=discount_date,
        discount_percent=Decimal(percent) if percent else None,
    )


def test_two_ten_net_thirty_pays_two_percent_less_until_the_discount_date():
    terms = invoice(
        total="1234.57",
        due=DAY + dt.timedelta(days=20),
        discount_date=DAY,
        percent="2",
    )
    on_time = settlement(terms, DAY)
    assert on_time.discount == Decimal("24.69")  # 24.6914 rounded half up
    assert on_time.amount == Decimal("1209.88")
    late = settlement(terms, DAY + dt.timedelta(days=1))
    assert late.discount == Decimal("0.00")
    assert late.amount == Decimal("1234.57")


def test_discount_rounds_half_up_to_the_minor_unit():
    assert settlement(
        invoice("0.25", discount_date=DAY, percent="2"), DAY
    ).discount == (
        Decimal("0.01")  # 0.005 -> 0.01
    )
    yen = invoice("1025", discount_date=DAY, percent="2", currency="JPY")
    assert settlement(yen, DAY).discount == Decimal("21")  # 20.5 -> 21


def test_an_invoice_is_proposed_when_due_or_while_its_discount_lasts():
    assert is_payable(invoice(due=DAY), DAY)
    assert not is_payable(invoice(due=DAY + dt.timedelta(days=1)), DAY)
    early = invoice(due=DAY + dt.timedelta(days=20), discount_date=DAY, percent="2")
    assert is_payable(early, DAY - dt.timedelta(days=3))
    assert not is_payable(early, DAY + dt.timedelta(days=1))


def test_remittance_lists_every_number_that_fits_then_says_how_many_more():
    assert remittance_text(["INV-1", "INV-2"]) == "INV-1, INV-2"
    numbers = [f"INVOICE-{n:05d}" for n in range(30)]
    text = remittance_text(numbers)
    assert len(text) <= REMITTANCE_MAX_LENGTH
    shown = text.split(" +")[0].split(", ")
    assert shown == numbers[: len(shown)]
    assert text.endswith(f"+{30 - len(shown)} more")
    assert len(remittance_text(["X" * 300])) <= REMITTANCE_MAX_LENGTH


def taxed(**extra):
    """1,000.00 net + 19% = 1,190.00, 2% discount until DAY."""
    return PayableInvoice(
        total=Decimal("1190.00"), net=Decimal("1000.00"), currency="EUR",
        due_date=DAY + dt.timedelta(days=20), discount_date=DAY,
        discount_percent=Decimal("2"), **extra,
    )  # fmt: skip


def test_discount_is_worked_out_on_the_gross_total_by_default():
    paid = settlement(taxed(), DAY)
    assert (paid.discount, paid.amount) == (Decimal("23.80"), Decimal("1166.20"))


def test_discount_on_the_net_when_the_setting_says_net_still_pays_the_gross():
    paid = settlement(taxed(discount_base="net"), DAY)
    assert (paid.discount, paid.amount) == (Decimal("20.00"), Decimal("1170.00"))
