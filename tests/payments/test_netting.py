"""Netting credit notes against a payment (payments.netting and the remittance), pure."""

import datetime as dt
from decimal import Decimal

from payments.netting import OpenCredit, net_credits
from payments.rules import REMITTANCE_MAX_LENGTH, credit_remittance, remittance_text

DAY = dt.date(2026, 11, 2)


def credit(number, amount, days_ago=10, credit_id=None):
    return OpenCredit(
        credit_id=credit_id or number,
        number=number,
        credit_date=DAY - dt.timedelta(days=days_ago),
        open_amount=Decimal(amount),
    )


def applied(netting):
    return [(a.number, str(a.amount), str(a.remaining)) for a in netting.applications]


def test_credits_are_applied_oldest_first_by_date_then_number():
    netting = net_credits(
        invoices_amount=Decimal("500.00"),
        credits=[
            credit("CN-9", "100.00", days_ago=5),
            credit("CN-2", "300.00", days_ago=20),
            credit("CN-1", "150.00", days_ago=5),
        ],
        currency="EUR",
    )
    # CN-2 is the oldest; CN-1 and CN-9 share a date, CN-1's number comes first.
    assert applied(netting) == [
        ("CN-2", "300.00", "0.00"),
        ("CN-1", "150.00", "0.00"),
        ("CN-9", "50.00", "50.00"),
    ]
    assert netting.transfer == Decimal("0.00")


def test_the_transfer_is_the_invoices_less_the_credits():
    netting = net_credits(
        invoices_amount=Decimal("1000.00"),
        credits=[credit("CN-1", "200.00")],
        currency="EUR",
    )
    assert netting.credited == Decimal("200.00")
    assert netting.transfer == Decimal("800.00")
    assert applied(netting) == [("CN-1", "200.00", "0.00")]


def test_credits_above_the_invoices_pay_nothing_and_keep_the_rest_open():
    netting = net_credits(
        invoices_amount=Decimal("120.00"),
        credits=[credit("CN-1", "200.00")],
        currency="EUR",
    )
    assert netting.transfer == Decimal("0.00")  # never a negative transfer
    assert applied(netting) == [("CN-1", "120.00", "80.00")]


def test_a_credit_the_older_ones_made_unnecessary_is_not_applied_at_all():
    netting = net_credits(
        invoices_amount=Decimal("100.00"),
        credits=[credit("CN-OLD", "100.00", 30), credit("CN-NEW", "50.00", 1)],
        currency="EUR",
    )
    assert applied(netting) == [("CN-OLD", "100.00", "0.00")]


def test_exact_to_the_cent_with_many_small_credits():
    netting = net_credits(
        invoices_amount=Decimal("1000.01"),
        credits=[credit(f"CN-{n}", "0.07", days_ago=n) for n in range(1, 8)],
        currency="EUR",
    )
    assert netting.credited == Decimal("0.49")
    assert netting.transfer == Decimal("999.52")
    assert str(netting.transfer) == "999.52"


def test_a_currency_without_minor_units_nets_whole_amounts():
    netting = net_credits(
        invoices_amount=Decimal("10000"),
        credits=[credit("CN-1", "2500")],
        currency="JPY",
    )
    assert str(netting.transfer) == "7500"


def test_a_credit_with_nothing_open_is_never_applied():
    netting = net_credits(
        invoices_amount=Decimal("100.00"),
        credits=[credit("CN-0", "0.00"), credit("CN-NEG", "-5.00")],
        currency="EUR",
    )
    assert netting.applications == ()
    assert netting.transfer == Decimal("100.00")


def test_the_remittance_names_each_credit_after_the_invoices():
    text = remittance_text(["INV-1", "INV-2"], [credit_remittance("CN-7", "200.00")])
    assert text == "INV-1, INV-2, credit CN-7 -200.00"


def test_a_long_remittance_cuts_invoice_numbers_but_keeps_the_credits():
    numbers = [f"INVOICE-{n:05d}" for n in range(30)]
    credits = [credit_remittance("CN-7", "200.00")]
    text = remittance_text(numbers, credits)
    assert len(text) <= REMITTANCE_MAX_LENGTH
    assert text.endswith(" more, credit CN-7 -200.00")
    shown = text.split(" +")[0].split(", ")
    assert shown == numbers[: len(shown)]


def test_a_remittance_of_credits_alone_too_long_still_fits():
    credits = [credit_remittance(f"CREDIT-NOTE-{n:04d}", "1.00") for n in range(20)]
    text = remittance_text(["INV-1"], credits)
    assert len(text) <= REMITTANCE_MAX_LENGTH
    assert text.startswith("INV-1, credit CREDIT-NOTE-0000 -1.00")
