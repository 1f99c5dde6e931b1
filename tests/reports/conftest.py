"""Fixtures of the sub-ledger report tests."""

from tests.payments.credit_notes import credit_note  # noqa: F401 (a fixture)
