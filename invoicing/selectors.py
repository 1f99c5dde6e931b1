"""Reads of invoices, always by key or through an index."""

from collections.abc import Iterator

from invoicing.models import AWAITING, LISTING, Invoice
from p2p_site import dynamo
from p2p_site.errors import NotFound
from p2p_site.exports import Export, every_item


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


def invoices_with_status(*, status: str) -> Iterator[Invoice]:
    """Every invoice in `status`, oldest first, from the status index's partition."""
    return Invoice.status_index.query(status, scan_index_forward=True)


def invoices_get_many(*, invoice_ids: set[str]) -> dict[str, Invoice]:
    """Return the invoices with these ids, read in batches of 100."""
    if not invoice_ids:
        return {}
    return {i.id: i for i in Invoice.batch_get(list(invoice_ids))}


def invoice_list_for_po(*, po_id: str, cursor: str | None = None, limit: int = 50):
    return dynamo.query_page(Invoice.po_index, po_id, cursor=cursor, limit=limit)


def invoice_list(
    *,
    status: str | None = None,
    po_id: str | None = None,
    vendor_id: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dynamo.Page:
    """Return a page of invoices, newest first, through the narrowest index."""
    if po_id or vendor_id:
        index, key = (
            (Invoice.po_index, po_id) if po_id else (Invoice.vendor_index, vendor_id)
        )
        condition = None
        if status:
            condition = Invoice.status == status
        if po_id and vendor_id:
            part = Invoice.vendor_id == vendor_id
            condition = part if condition is None else condition & part
        return dynamo.query_page(
            index,
            key,
            filter_condition=condition,
            cursor=cursor,
            limit=limit,
            scope=f"{status or ''}|{vendor_id or ''}",
        )
    if status:
        return dynamo.query_page(
            Invoice.status_index, status, cursor=cursor, limit=limit
        )
    return dynamo.query_page(Invoice.listing_index, LISTING, cursor=cursor, limit=limit)


def invoice_export(*, status: str | None = None, po_id: str | None = None) -> Export:
    """Return every invoice the list shows with these filters, for download."""
    invoices = every_item(invoice_list, status=status, po_id=po_id)
    return Export(
        name="invoices",
        header=[
            "Number", "Vendor", "PO", "Status", "Top finding", "Currency",
            "Net total", "Tax", "Total", "Invoice date", "Due date", "Payment run",
            "Submitted", "Submitted by", "Vendor id", "PO id", "Id",
        ],
        rows=(
            [
                i.invoice_number, i.vendor_name, i.po_number, i.status,
                i.top_finding, i.currency, i.net_total, i.tax_amount,
                i.total_amount, i.invoice_date, i.due_date, i.payment_run_number,
                i.submitted_at, i.submitted_by, i.vendor_id, i.po_id, i.id,
            ]
            for i in invoices
        ),
    )  # fmt: skip


def invoices_similar(*, invoice: Invoice) -> list[Invoice]:
    """Other invoices of the vendor with the same invoice date and total (not void)."""
    if not invoice.similarity_key:
        return []
    return [
        other
        for other in Invoice.similar_index.query(invoice.similarity_key, limit=20)
        if other.id != invoice.id
    ]
