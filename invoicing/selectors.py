"""Reads of invoices, always by key or through an index."""

import datetime as dt
from collections.abc import Iterator

from accounts.roles import Role, has_role
from accounts.selectors import approval_limit_get
from audit.models import AuditAction
from audit.selectors import audit_details_since
from core import dynamo
from core.days import site_date, site_today
from core.errors import InvalidCursor, NotFound
from core.exports import Export, every_item, iso_date
from exchange_rates.rules import base_currency
from invoicing.models import (
    CREDITABLE_STATUSES,
    HELD,
    LISTING,
    PAYABLE_STATUSES,
    POSTED_LISTING,
    RECURRING_DUE,
    RECURRING_LISTING,
    VARIANCE_SENT,
    Invoice,
    InvoiceNumberGuard,
    InvoiceStatistics,
    InvoiceStatus,
    RecurringInvoice,
    not_held_on,
    of_document_type,
    queue_partitions,
)
from invoicing.numbers import invoice_number_prefix, normalise_invoice_number
from purchasing.selectors import amount_value


def invoice_get(*, invoice_id: str) -> Invoice | None:
    if not invoice_id or len(invoice_id) > 100:
        return None
    try:
        invoice = Invoice.get(invoice_id, consistent_read=True)
    except Invoice.DoesNotExist:
        return None
    # The table also holds number guards and the dashboard's statistics.
    return invoice if invoice.invoice_number is not None else None


def invoice_get_or_404(*, invoice_id: str) -> Invoice:
    invoice = invoice_get(invoice_id=invoice_id)
    if invoice is None:
        raise NotFound(f"There is no invoice with id '{invoice_id}'.")
    return invoice


def invoices_awaiting_reconciliation(
    *,
    cursor: str | None = None,
    limit: int = 100,
    shard: int | None = None,
    shards: int | None = None,
) -> dynamo.Page:
    """
    Invoices waiting in status `received`, from the sparse queue index: the
    partitions of shard `shard` of `shards` (`queue_partitions`), or all of
    them, one after another, oldest first within each. A PO's invoices share
    one partition, so they come in order. Its cost follows the queue: one
    query per partition (an empty one is cheap), never the table.
    """
    partitions = queue_partitions(shard=shard, shards=shards)
    position, inner = _queue_cursor(cursor, len(partitions))
    items: list[Invoice] = []
    while position < len(partitions) and len(items) < limit:
        page = dynamo.query_page(
            Invoice.queue_index,
            partitions[position],
            cursor=inner,
            limit=limit - len(items),
            newest_first=False,
        )
        items += page.items
        if page.next_cursor:  # the page is full and this partition goes on
            return dynamo.Page(
                items=items, next_cursor=f"{position}:{page.next_cursor}"
            )
        position, inner = position + 1, None
    more = position < len(partitions)
    return dynamo.Page(items=items, next_cursor=f"{position}:" if more else None)


def _queue_cursor(cursor: str | None, partitions: int) -> tuple[int, str | None]:
    """The partition a queue cursor resumes in, and the cursor within it."""
    if not cursor:
        return 0, None
    position, _, inner = cursor.partition(":")
    if not position.isdigit() or int(position) >= partitions:
        raise InvalidCursor()
    return int(position), inner or None


def invoices_waiting_oldest(*, limit: int) -> dynamo.Page:
    """
    The invoices waiting for reconciliation, oldest first across every
    queue partition: one query of the status index (the queue's partitions
    are read one after another, not merged by age).
    """
    return dynamo.query_page(
        Invoice.status_index,
        InvoiceStatus.RECEIVED.value,
        limit=limit,
        newest_first=False,
    )


def invoices_get_many(*, invoice_ids: set[str]) -> dict[str, Invoice]:
    """Return the invoices with these ids, read consistently in batches of 100."""
    if not invoice_ids:
        return {}
    return {i.id: i for i in Invoice.batch_get(list(invoice_ids), consistent_read=True)}


def invoice_list_for_po(*, po_id: str, cursor: str | None = None, limit: int = 50):
    return dynamo.query_page(Invoice.po_index, po_id, cursor=cursor, limit=limit)


# Entered against a PO and not yet matched: what closing the PO would reject.
WAITING_FOR_MATCH = (InvoiceStatus.RECEIVED.value, InvoiceStatus.REJECTED.value)


def invoices_waiting_for_po(*, po_id: str) -> int:
    """
    Return how many of the PO's invoices are received or rejected (not yet
    matched). Reads the PO's own invoices through its index, a PO's few.
    """
    return sum(
        1
        for _ in Invoice.po_index.query(
            po_id, filter_condition=Invoice.status.is_in(*WAITING_FOR_MATCH)
        )
    )


def invoice_list(
    *,
    status: str | None = None,
    po_id: str | None = None,
    vendor_id: str | None = None,
    submitted_from: dt.date | None = None,
    submitted_to: dt.date | None = None,
    held: bool = False,
    document_type: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dynamo.Page:
    """
    Return a page of invoices, newest first, through the narrowest index.

    `held` lists the invoices on hold today, from the sparse held index,
    within which the other criteria filter; otherwise PO, else vendor, else
    status picks the index and the other criteria filter within it. Every
    index sorts by submission time, so a submitted-date range is always a
    key condition, never a filter. `document_type` (`invoice`,
    `credit_note`) filters within the chosen index's page.
    """
    submitted = dynamo.days_between(
        Invoice.submitted_at, submitted_from, submitted_to, to_field="submitted_to"
    )
    if held:
        return _held_page(
            status=status,
            po_id=po_id,
            vendor_id=vendor_id,
            submitted=submitted,
            cursor=cursor,
            limit=limit,
            scope=f"{submitted_from}|{submitted_to}",
            document_type=document_type,
        )
    if po_id:
        index, key = Invoice.po_index, po_id
    elif vendor_id:
        index, key = Invoice.vendor_index, vendor_id
    elif status:
        index, key = Invoice.status_index, status
    else:
        index, key = Invoice.listing_index, LISTING
    filters = []
    if status and (po_id or vendor_id):
        filters.append(Invoice.status == status)
    if vendor_id and po_id:
        filters.append(Invoice.vendor_id == vendor_id)
    if document_type:
        filters.append(of_document_type(document_type))
    return dynamo.query_page(
        index,
        key,
        range_key_condition=submitted,
        filter_condition=dynamo.all_of(*filters),
        cursor=cursor,
        limit=limit,
        scope=f"{submitted_from}|{submitted_to}|{status or ''}|{vendor_id or ''}"
        + (f"|{document_type}" if document_type else ""),
    )


def _held_page(
    *, status, po_id, vendor_id, submitted, cursor, limit, scope, document_type=None
):
    today = site_today()
    # A lapsed hold (its last day passed) keeps its fields until released.
    filters = [
        (Invoice.hold_until.does_not_exist())
        | (Invoice.hold_until >= today.isoformat())
    ]
    if status:
        filters.append(Invoice.status == status)
    if po_id:
        filters.append(Invoice.po_id == po_id)
    if vendor_id:
        filters.append(Invoice.vendor_id == vendor_id)
    if document_type:
        filters.append(of_document_type(document_type))
        scope = f"{scope}|{document_type}"
    return dynamo.query_page(
        Invoice.held_index,
        HELD,
        range_key_condition=submitted,
        filter_condition=dynamo.all_of(*filters),
        cursor=cursor,
        limit=limit,
        scope=f"{scope}|{today}|{status or ''}|{po_id or ''}|{vendor_id or ''}",
    )


def invoice_export(
    *,
    status: str | None = None,
    po_id: str | None = None,
    vendor_id: str | None = None,
    submitted_from: dt.date | None = None,
    submitted_to: dt.date | None = None,
    held: bool = False,
    document_type: str | None = None,
) -> Export:
    """
    Return every invoice the list shows with these filters, for download;
    "Document type" says which are credit notes (their amounts stay
    positive, as the vendor printed them).
    """
    invoices = every_item(
        invoice_list,
        status=status,
        po_id=po_id,
        vendor_id=vendor_id,
        submitted_from=submitted_from,
        submitted_to=submitted_to,
        held=held,
        document_type=document_type,
    )
    return Export(
        name="invoices",
        header=[
            "Number", "Vendor", "PO", "Status", "Top finding", "Currency",
            "Net total", "Tax", "Total", "Invoice date", "Due date", "Payment run",
            "Submitted", "Submitted by", "Vendor id", "PO id", "Id",
            "Document type", "Credits invoice",
        ],
        rows=(
            [
                i.invoice_number, i.vendor_name, i.po_number, i.status,
                i.top_finding, i.currency, i.net_total, i.tax_amount,
                i.total_amount, iso_date(i.invoice_date), iso_date(i.due_date),
                i.payment_run_number,
                i.submitted_at, i.submitted_by, i.vendor_id, i.po_id, i.id,
                i.document_kind.value, i.credited_invoice_number,
            ]
            for i in invoices
        ),
    )  # fmt: skip


def invoice_search(*, text: str, limit: int = 10) -> dynamo.Page:
    """
    Return invoices whose number starts with `text` as numbers compare
    (`inv 42` finds `INV-0042`), the exact number first.
    """
    return dynamo.prefix_page(
        Invoice.listing_number_index,
        LISTING,
        Invoice.number_key,
        invoice_number_prefix(text),
        limit=limit,
    )


def invoices_similar(*, invoice: Invoice) -> list[Invoice]:
    """Other invoices of the vendor with the same invoice date and total (not void)."""
    if not invoice.similarity_key:
        return []
    return [
        other
        for other in Invoice.similar_index.query(invoice.similarity_key, limit=20)
        if other.id != invoice.id
    ]


# What the dashboard's figures need of an invoice (amounts must come with
# their currency: `Invoice.from_raw_data` rounds them to its minor unit).
FIGURE_ATTRIBUTES = [
    "id",
    "vendor_name",
    "currency",
    "net_total",
    "tax_amount",
    "total_amount",
    "due_date",
    "submitted_at",
    "document_type",
    "credit_open_amount",
    "status",
]


def invoices_entered_since(
    *, statuses: tuple[str, ...], since: dt.datetime
) -> Iterator[Invoice]:
    """Invoices in these statuses entered since `since`, from the status index."""
    for status in statuses:
        yield from Invoice.status_index.query(
            status,
            range_key_condition=Invoice.submitted_at >= since,
            attributes_to_get=FIGURE_ATTRIBUTES,
        )


def invoices_in_statuses(
    *, statuses: tuple[str, ...], attributes: list[str] | None = None
) -> Iterator[Invoice]:
    """
    Every invoice in these statuses, oldest entered first, from the status
    index's partitions; only `attributes` when given.
    """
    for status in statuses:
        yield from Invoice.status_index.query(
            status, scan_index_forward=True, attributes_to_get=attributes
        )


def invoices_payable(*, day: dt.date) -> Iterator[Invoice]:
    """
    Every payable (matched, or approved without a PO) invoice not on hold on
    `day`, oldest entered first within each: the status index's partitions
    of PAYABLE_STATUSES, holds left out by DynamoDB's filter.
    """
    # Matched credit notes come too: a run nets them against their vendor's
    # invoices and never pays one out (payments.selectors, payments.netting).
    for status in PAYABLE_STATUSES:
        yield from Invoice.status_index.query(
            status, scan_index_forward=True, filter_condition=not_held_on(day)
        )


def invoices_due_soon(*, until: dt.date, limit: int = 5) -> dynamo.Page:
    """
    Matched invoices due by `until`, or whose discount ends by then and is
    still to be had, and not on hold today, oldest entered first.
    """
    today = site_today().isoformat()
    return dynamo.query_page(
        Invoice.status_index,
        "matched",
        filter_condition=(
            (Invoice.due_date <= until.isoformat())
            | Invoice.discount_date.between(today, until.isoformat())
        )
        & not_held_on(site_today())
        & of_document_type("invoice"),
        limit=limit,
        newest_first=False,
        scope=f"due-soon|{until}",
    )


def invoice_statistics_get() -> InvoiceStatistics | None:
    try:
        return InvoiceStatistics.get(InvoiceStatistics.KEY)
    except InvoiceStatistics.DoesNotExist:
        return None


def reconcile_outcomes_since(*, since: dt.datetime) -> Iterator[tuple[dt.date, str]]:
    """Every reconciliation's day and outcome since `since`, from the audit trail."""
    for timestamp, details in audit_details_since(
        entity_type="invoice",
        actions=(AuditAction.RECONCILE, AuditAction.BATCH_RECONCILE),
        since=since,
    ):
        yield site_date(timestamp), details.get("outcome")  # not a reader's day


def invoice_ids_numbered(*, number: str, limit: int = 20) -> list[str]:
    """
    Ids of the invoices (of any vendor) with this number as numbers compare
    (`inv 42` is `INV-0042`): the audit trail's lookup.
    """
    key = normalise_invoice_number(number)
    if not key or len(key.encode()) > dynamo.SORT_KEY_MAX_BYTES:
        return []
    return [
        invoice.id
        for invoice in Invoice.listing_number_index.query(
            LISTING, Invoice.number_key == key, limit=limit
        )
    ]


def invoices_awaiting_approval_by(
    *, user, cursor: str | None = None, limit: int = 50
) -> dynamo.Page:
    """
    Return invoices without PO this approver may approve now, oldest first:
    the status index's `awaiting_approval` partition, less those they entered
    or already approved and those in the base currency above their limit
    (DynamoDB's filter); one in another currency is converted here at
    today's rate and kept when within the limit (without a rate, left out).
    """
    if not has_role(user, Role.APPROVER):
        return dynamo.Page(items=[], next_cursor=None)
    username = user.get_username()
    limit_amount = approval_limit_get(user=user)
    base = base_currency()
    page = dynamo.query_page(
        Invoice.status_index,
        InvoiceStatus.AWAITING_APPROVAL.value,
        filter_condition=(Invoice.submitted_by != username)
        & ~Invoice.approved_by.contains(username)
        & ((Invoice.currency != base) | (Invoice.total_amount <= limit_amount)),
        cursor=cursor,
        limit=limit,
        newest_first=False,
        scope=f"awaiting|{username}|{limit_amount}|{base}",
    )
    rates: dict = {}
    shown = []
    for invoice in page.items:
        value = amount_value(
            amount=invoice.total_amount, currency=invoice.currency, rates=rates
        )
        if value is None or value.base_amount > limit_amount:
            continue
        invoice.base_value = value
        shown.append(invoice)
    page.items = shown
    return page


def recurring_invoice_get(*, template_id: str):
    """Return the recurring invoice template, or None."""
    if not template_id or len(template_id) > 100:
        return None
    try:
        return RecurringInvoice.get(template_id, consistent_read=True)
    except RecurringInvoice.DoesNotExist:
        return None


def recurring_invoice_get_or_404(*, template_id: str):
    template = recurring_invoice_get(template_id=template_id)
    if template is None:
        raise NotFound(f"There is no recurring invoice with id '{template_id}'.")
    return template


def recurring_invoice_list(*, cursor: str | None = None, limit: int = 50):
    """Every recurring invoice template, newest first."""
    return dynamo.query_page(
        RecurringInvoice.listing_index, RECURRING_LISTING, cursor=cursor, limit=limit
    )


def recurring_invoices_due(*, on: dt.date) -> Iterator:
    """Active templates whose next invoice falls on `on` or before (the sparse due index)."""
    yield from RecurringInvoice.due_index.query(
        RECURRING_DUE, RecurringInvoice.next_date <= on.isoformat()
    )


def invoices_creditable(*, po_id: str, limit: int = 50) -> list[Invoice]:
    """
    The PO's invoices a credit note may credit (matched, approved, scheduled
    or paid; no credit note), newest first: one page of the PO's index.
    """
    return dynamo.query_page(
        Invoice.po_index,
        po_id,
        filter_condition=Invoice.status.is_in(*CREDITABLE_STATUSES)
        & of_document_type("invoice"),
        limit=limit,
        scope="creditable",
    ).items


def invoices_variances_sent_to(
    *, user, cursor: str | None = None, limit: int = 50
) -> dynamo.Page:
    """
    Rejected invoices sent to approval that ask this approver, oldest sent
    first, from the sparse variance queue index: those sent to them by name,
    and those sent to any approver whose limit covers them (their worth in
    the base currency today), less those they entered or sent themselves.
    """
    if not has_role(user, Role.APPROVER):
        return dynamo.Page(items=[], next_cursor=None)
    username = user.get_username()
    limit_amount = approval_limit_get(user=user)
    base = base_currency()
    to_anyone = Invoice.variance_sent_to.does_not_exist() & (
        (Invoice.currency != base) | (Invoice.net_total <= limit_amount)
    )
    page = dynamo.query_page(
        Invoice.variance_index,
        VARIANCE_SENT,
        filter_condition=((Invoice.variance_sent_to == username) | to_anyone)
        & (Invoice.submitted_by != username)
        & (Invoice.variance_sent_by != username),
        cursor=cursor,
        limit=limit,
        newest_first=False,
        scope=f"variances|{username}|{limit_amount}|{base}",
    )
    rates: dict = {}
    shown = []
    for invoice in page.items:
        if invoice.variance_sent_to is None and invoice.currency != base:
            value = amount_value(
                amount=invoice.net_total, currency=invoice.currency, rates=rates
            )
            if value is None or value.base_amount > limit_amount:
                continue
        shown.append(invoice)
    page.items = shown
    return page


def invoices_posted_between(*, start: dt.date, end: dt.date) -> Iterator[Invoice]:
    """
    Every document posted on `start`..`end` (invoices and credit notes, void
    ones too), in posting order: one key range of the sparse posted index.
    """
    # posting_key is "<date>#<id>"; "$" sorts right after "#", so the upper
    # bound takes in every id of the last day.
    yield from Invoice.posted_index.query(
        POSTED_LISTING,
        range_key_condition=Invoice.posting_key.between(
            start.isoformat(), f"{end.isoformat()}$"
        ),
        scan_index_forward=True,
    )


def invoices_voided_between(*, start: dt.date, end: dt.date) -> Iterator[Invoice]:
    """
    Posted documents voided on `start`..`end`, by the day of the void: one
    key range of the sparse voided index.
    """
    yield from Invoice.voided_index.query(
        POSTED_LISTING,
        range_key_condition=Invoice.voided_on.between(
            start.isoformat(), end.isoformat()
        ),
        scan_index_forward=True,
    )


def invoice_get_by_vendor_number(*, vendor_id: str, number: str) -> Invoice | None:
    """The vendor's invoice or credit note numbered `number` in any spelling."""
    key = normalise_invoice_number(number or "")
    if not key:
        return None
    try:
        guard = InvoiceNumberGuard.get(
            InvoiceNumberGuard.key(vendor_id, key), consistent_read=True
        )
    except InvoiceNumberGuard.DoesNotExist:
        return None
    return invoice_get(invoice_id=guard.invoice_id)
