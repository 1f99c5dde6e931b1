"""Fixtures of the sub-ledger report tests."""

from tests.ledger import acme, bureau  # noqa: F401 (fixtures)
from tests.payments.credit_notes import credit_note  # noqa: F401 (a fixture)
