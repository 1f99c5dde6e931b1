"""
Sections of a purchase order's page that show a higher app's records,
registered by that app (invoicing registers the PO's invoices); see
`vendors.panels`.
"""

from vendors.panels import Panels

PURCHASE_ORDER_PAGE = Panels()
