"""
Where a document entered by a service came from when it was not typed in:
an e-invoice taken in by `einvoicing.services`. The entry services
(`invoice_create`, `credit_note_create`, `invoice_without_po_create`) take
an optional `origin` and apply it; without one they behave as they always did.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DocumentOrigin:
    # Invoice attributes set on the new record (einvoice_key, source_sha256, ...).
    fields: Mapping[str, Any] = field(default_factory=dict)
    # Recorded in the creation audit entry's details, under "source".
    details: Mapping[str, Any] = field(default_factory=dict)
    # The due date the document prints (BT-9), instead of the vendor's terms.
    due_date: dt.date | None = None
    # core.lines.clean_lines(printed_amounts=...): the lines' amounts as printed.
    printed_amounts: bool = False
    # The lines name no tax code and inherit none (no code fits the
    # document's VAT category and rate): its tax is the printed amount.
    tax_uncoded: bool = False
    # More writes in the document's own transaction: called with the
    # transaction and the new invoice (e.g. the file's fingerprint, the
    # inbox item it resolves); refused together with it.
    also: Callable[[Any, Any], None] | None = None
    # Records the origin read already, by id (an e-invoice's PO found by its
    # number, its vendor by VAT id), used instead of reading them again. They
    # come from indexes, so they may be a moment old: the transaction's
    # conditions still refuse a PO deleted or cancelled meanwhile.
    records: Mapping[str, Any] = field(default_factory=dict)


def inherits_tax(origin: DocumentOrigin | None) -> bool:
    """Whether the lines inherit a tax code they do not name (invoicing.coding)."""
    return origin is None or not origin.tax_uncoded


def origin_record(origin: DocumentOrigin | None, record_id: str):
    """The record with id `record_id` the origin read already, or None."""
    return origin.records.get(record_id) if origin is not None else None


def origin_apply(invoice, origin: DocumentOrigin | None) -> None:
    """Set the origin's fields on the new (unwritten) `invoice`."""
    if origin is None:
        return
    for name, value in origin.fields.items():
        setattr(invoice, name, value)


def origin_source(origin: DocumentOrigin | None) -> dict[str, Any] | None:
    """What the creation audit entry records of the origin (None: typed in)."""
    return dict(origin.details) if origin is not None and origin.details else None


def origin_writes(transaction, invoice, origin: DocumentOrigin | None) -> None:
    if origin is not None and origin.also is not None:
        origin.also(transaction, invoice)
