"""Fixtures shared by the invoicing tests."""

import pytest

from purchasing.services import purchase_order_approve


@pytest.fixture
def approved_po(make_po, approver):
    """An approved PO of Acme: 10 x 100.00 and 5 x 20.00 = 1,100.00."""
    po = make_po()
    return purchase_order_approve(po_id=po.id, user=approver)
