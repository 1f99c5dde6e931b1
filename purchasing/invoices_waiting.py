"""
How many invoices entered against a PO still wait to be matched, for the
rule that closing a PO with invoices waiting needs a reason (issue 21).

Invoicing sits above purchasing, so it registers the count here when Django
starts (`invoicing.apps.InvoicingConfig.ready`): imports keep pointing down.
Without a registered count (purchasing alone) no invoice is waiting.
"""

from collections.abc import Callable

_count: Callable[[str], int] | None = None


def invoices_waiting_register(count: Callable[[str], int]) -> None:
    """Set what counts a PO's waiting invoices: `count(po_id)`."""
    global _count
    _count = count


def invoices_waiting_count(*, po_id: str) -> int:
    """Return how many invoices of the PO are entered and not yet matched."""
    return _count(po_id) if _count is not None else 0
