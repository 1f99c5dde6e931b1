"""The payments fixtures too: the admin record pages show payment runs."""

from tests.payments.conftest import (  # noqa: F401
    make_vendor,
    matched_invoice,
    treasurer,
)
