"""The vendor page's sections of higher apps' records (see `core.panels`)."""

from core.panels import Panels

# Purchasing registers the vendor's purchase orders.
VENDOR_PAGE = Panels()
