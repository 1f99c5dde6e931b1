from tests.payments.conftest import (  # noqa: F401 - fixtures shared with payments
    make_vendor,
    matched_invoice,
    three_vendors,
    treasurer,
)
