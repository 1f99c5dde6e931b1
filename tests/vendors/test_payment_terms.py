import datetime as dt
from decimal import Decimal

import pytest

from vendors.payment_terms import PaymentTermsError, parse_payment_terms


def test_net_days_set_the_due_date():
    terms = parse_payment_terms("Net 30")
    assert terms.due_date(dt.date(2026, 1, 15)) == dt.date(2026, 2, 14)
    assert terms.discount_date(dt.date(2026, 1, 15)) is None


def test_due_on_receipt_is_due_the_invoice_day():
    assert parse_payment_terms("Due on receipt").due_date(
        dt.date(2026, 3, 1)
    ) == dt.date(2026, 3, 1)


def test_early_payment_discount_terms_give_discount_and_due_dates():
    terms = parse_payment_terms("2/10 Net 30")
    assert terms.discount_percent == Decimal("2")
    assert terms.discount_date(dt.date(2026, 1, 1)) == dt.date(2026, 1, 11)
    assert terms.due_date(dt.date(2026, 1, 1)) == dt.date(2026, 1, 31)


def test_end_of_month_terms_count_from_the_last_day_of_the_invoice_month():
    terms = parse_payment_terms("EOM 30")
    assert terms.due_date(dt.date(2026, 2, 10)) == dt.date(2026, 3, 30)


@pytest.mark.parametrize(
    "text", ["", "Net", "whenever", "Net 30 days please", "150/10 Net 30"]
)
def test_unparseable_terms_are_refused_with_examples(text):
    with pytest.raises(PaymentTermsError, match="Net 30|100%"):
        parse_payment_terms(text)
