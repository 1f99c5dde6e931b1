"""Reads of invoices, always by key or through an index."""

from invoicing.models import AWAITING, Invoice
from p2p_site import dynamo
from p2p_site.errors import NotFound


def invoice_get(*, invoice_id: str) -> Invoice | None:
    if not invoice_id or len(invoice_id) > 100:
        return None
    try:
        return Invoice.get(invoice_id, consistent_read=True)
    except Invoice.DoesNotExist:
        return None


def invoice_get_or_404(*, invoice_id: str) -> Invoice:
    invoice = invoice_get(invoice_id=invoice_id)
    if invoice is None:
        raise NotFound(f"There is no invoice with id '{invoice_id}'.")
    return invoice


def invoices_awaiting_reconciliation(
    *, cursor: str | None = None, limit: int = 100
) -> dynamo.Page:
    """Invoices in status `received`, oldest first, from the sparse queue index."""
    return dynamo.query_page(
        Invoice.queue_index, AWAITING, cursor=cursor, limit=limit, newest_first=False
    )


def invoice_list_for_po(*, po_id: str, cursor: str | None = None, limit: int = 50):
    return dynamo.query_page(Invoice.po_index, po_id, cursor=cursor, limit=limit)
