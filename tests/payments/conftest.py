"""Fixtures of the payment-run tests."""

from tests.payments.credit_notes import credit_note  # noqa: F401 (a fixture)
