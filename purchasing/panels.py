"""The purchase order page's sections of higher apps' records (see `core.panels`)."""

from core.panels import Panels

# Invoicing registers the PO's invoices.
PURCHASE_ORDER_PAGE = Panels()
