"""Fixtures of the payment-run tests."""

from tests.payments.bank_answer_helpers import (  # noqa: F401 (fixtures)
    bank_files,
    exported_run,
    media,
)
from tests.payments.credit_notes import credit_note  # noqa: F401 (a fixture)
