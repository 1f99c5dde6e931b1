"""
Reconciling invoices against their POs: the stored records as the matching
rules' plain data (`match_inputs`), and the writes recording an outcome, by
a person (`invoice_reconcile`) or by the batch job, many at once
(`invoices_reconcile_batch`). Each outcome is one conditional TransactWrite
holding the invoice's change, the PO's and their audit entries.
"""

import dataclasses
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from accounts.roles import Role, require_role
from audit.entries import audit_entry_write, audit_heads_prefetch, head_item_keys
from core import dynamo
from core.errors import NotFound, StaleRecord, ValidationFailed
from core.lines import goods_lines
from core.writes import MAX_ATTEMPTS, audited_update_add, retry_pause
from invoicing import credit_matching, credit_notes, matching
from invoicing.events import (
    JOB_USER,
    invoice_reconcile_error_event,
    invoice_reconciled_event,
)
from invoicing.models import Invoice, InvoiceStatus, invoice_move_check
from invoicing.posting import posting_updates
from invoicing.selectors import invoice_get_or_404
from invoicing.validation import document_tax_lines
from purchasing import services as purchasing_services
from purchasing.selectors import purchase_order_get

_STATUS = {
    matching.Outcome.MATCHED: InvoiceStatus.MATCHED,
    matching.Outcome.REJECTED: InvoiceStatus.REJECTED,
    matching.Outcome.AWAITING_RECEIPT: InvoiceStatus.RECEIVED,
}


def tolerances() -> matching.Tolerances:
    return matching.Tolerances(
        price_percent=settings.MATCH_PRICE_TOLERANCE_PERCENT,
        total_percent=settings.MATCH_TOTAL_TOLERANCE_PERCENT,
        over_billing_percent=settings.MATCH_OVER_BILLING_PERCENT,
        tax=settings.TAX_TOLERANCE,
    )


def match_inputs(invoice: Invoice, po) -> tuple:
    """The plain data the matching rules take, from the stored records."""
    invoice_data = matching.InvoiceData(
        vendor_id=invoice.vendor_id,
        currency=invoice.currency,
        lines=tuple(
            matching.InvoiceLineData(
                line.quantity,
                line.unit_price,
                line.po_line_number,
                amount=line.total_amount,
            )
            for line in goods_lines(invoice.items)
        ),
        tax_lines=document_tax_lines(invoice),
        tax_amount=invoice.tax_amount,
        adjustments=sum(
            (line.total_amount for line in invoice.items if line.kind), Decimal("0")
        ),
    )
    return invoice_data, _po_data(po), _earlier(po)


def _po_data(po) -> matching.PurchaseOrderData:
    return matching.PurchaseOrderData(
        status=po.status,
        vendor_id=po.vendor_id,
        currency=po.currency,
        total_amount=po.total_amount,
        three_way=po.match_type == "3-way",
        lines=tuple(
            matching.POLineData(
                line.line_number, line.quantity, line.unit_price, line.received_quantity
            )
            for line in po.items
        ),
    )


def _earlier(po) -> list[matching.EarlierInvoiceData]:
    """The PO's matched, scheduled and paid invoices, as the PO sums them up."""
    # Quantities count even when the amounts are zero (a line priced 0.00).
    if not (po.invoiced_total or any(line.invoiced_quantity for line in po.items)):
        return []
    return [
        matching.EarlierInvoiceData(
            net_total=po.invoiced_total,
            quantities={
                line.line_number: line.invoiced_quantity
                for line in po.items
                if line.invoiced_quantity
            },
        )
    ]


def po_left_to_bill(po) -> matching.LeftToBill:
    """What the PO's lines leave to bill, measured as reconciliation measures it."""
    return matching.left_to_bill(_po_data(po), _earlier(po))


def report_as_dict(report: matching.MatchReport) -> dict[str, Any]:
    data = dataclasses.asdict(report)
    data["outcome"] = report.outcome.value
    for finding in data["findings"]:
        finding["code"] = str(finding["code"])
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def paired_quantities(invoice: Invoice, po) -> dict[int, Decimal]:
    """Invoiced quantity per PO line, paired as the matching rules pair them."""
    goods = goods_lines(invoice.items)
    numbers = matching.paired_po_line_numbers(
        [line.po_line_number for line in goods],
        [line.line_number for line in po.items],
    )
    result: dict[int, Decimal] = {}
    for line, number in zip(goods, numbers, strict=True):
        if number is not None:
            result[number] = result.get(number, Decimal("0")) + line.quantity
    return result


def report_for(invoice: Invoice, po) -> matching.MatchReport:
    """Match an invoice against its PO, or a credit note by its own rules."""
    if invoice.is_credit_note:
        return credit_matching.reconcile_credit(
            *credit_notes.credit_match_inputs(invoice, po),
            tax_tolerance=settings.TAX_TOLERANCE,
        )
    return matching.reconcile(*match_inputs(invoice, po), tolerances())


def _outcome(invoice: Invoice, po) -> tuple[matching.MatchReport, dict, bool]:
    """The report on `invoice`, as stored, and whether it changes anything."""
    report = report_for(invoice, po)
    report_dict = report_as_dict(report)
    # Still awaiting goods with the same findings: nothing new to record.
    unchanged = (
        report.outcome == matching.Outcome.AWAITING_RECEIPT
        and invoice.report == report_dict
    )
    return report, report_dict, not unchanged


def invoice_reconcile(
    *,
    invoice_id: str,
    user,
    batch: bool = False,
    invoice: Invoice | None = None,
    po=None,
) -> tuple[Invoice, matching.MatchReport]:
    """
    Match a `received` invoice against its PO and record the outcome.

    The status change, the quantities added to the PO and the audit entry are
    one transaction, conditioned on the invoice still being `received` and
    the PO unchanged since read; a conflict re-reads and matches again.
    `batch` records it as the job's (JOB_USER only); `invoice` and `po`, when
    given (the job reads them in bulk), are used for the first attempt
    instead of reading them again.
    """
    if not (batch and user == JOB_USER):
        require_role(user, Role.AP_CLERK, action="reconcile invoices")
    for attempt in range(MAX_ATTEMPTS):
        if invoice is None or attempt:
            invoice = invoice_get_or_404(invoice_id=invoice_id)
        # Only a received invoice can be rejected, and reconciling may reject
        # it (`matched` is also reached from `scheduled`, by a run's cancellation).
        invoice_move_check(invoice, InvoiceStatus.REJECTED, verb="reconciled")
        if po is None or attempt:
            po = purchase_order_get(po_id=invoice.po_id)
        if po is None and invoice.has_po:
            raise NotFound(
                f"The PO of invoice {invoice.invoice_number} no longer exists."
            )
        report, report_dict, changes = _outcome(invoice, po)
        if not changes:
            return invoice, report  # no write, no audit entry
        try:
            with dynamo.write_transaction() as transaction:
                committed = _record_add(
                    transaction, invoice, po, report, report_dict, user, batch
                )
        except StaleRecord:
            retry_pause(attempt)
            continue
        committed()
        return invoice, report
    raise StaleRecord("The invoice or its PO kept changing; try reconciling again.")


def invoice_reconcile_error_record(*, invoice: Invoice, error: str) -> None:
    """Record on the audit trail that the job could not reconcile an invoice."""
    entry = invoice_reconcile_error_event(invoice=invoice, error=error)
    audit_entry_write(entry)


def _record_add(
    transaction, invoice, po, report, report_dict, user, batch
) -> Callable[[], None]:
    """
    Add one reconciliation outcome (invoice, PO, audit entries) to
    `transaction`; return what brings `invoice` and `po` up to date once it
    has committed.
    """
    now = dynamo.utcnow()
    status = _STATUS[report.outcome]
    updates = {
        "status": status.value,
        "report_json": json.dumps(report_dict, sort_keys=True),
        "reconciled_at": now,
        "updated_at": now,
    }
    if status != InvoiceStatus.RECEIVED:
        updates["queue"] = None  # off the reconciliation queue
    updates |= posting_updates(invoice, status)  # matched: into the ledger
    effect = None
    if invoice.is_credit_note and report.outcome == matching.Outcome.MATCHED and po:
        # What comes off the PO, kept on the credit note for a void to put back.
        effect = credit_notes.credit_note_effect(
            credit_note=invoice, po=po, tolerances=tolerances()
        )
        updates["credit_effect_json"] = json.dumps(effect.as_dict(), sort_keys=True)
    entry = invoice_reconciled_event(
        invoice=invoice, user=user, report=report, status=status.value, batch=batch
    )
    refresh_invoice = audited_update_add(
        transaction,
        invoice,
        updates,
        entry=entry,
        condition=Invoice.status == InvoiceStatus.RECEIVED.value,
    )
    refresh_po = None
    if invoice.is_credit_note:
        if effect is not None:
            refresh_po = purchasing_services.purchase_order_invoiced_remove(
                transaction=transaction, po=po, quantities=effect.quantities,
                net_total=effect.net_total, user=user, action=entry.action,
                invoice_number=invoice.invoice_number,
            )  # fmt: skip
        elif po is not None:
            purchasing_services.purchase_order_unchanged_check(
                transaction=transaction, po=po
            )
    elif report.outcome == matching.Outcome.MATCHED:
        refresh_po = purchasing_services.purchase_order_invoiced_add(
            transaction=transaction,
            po=po,
            quantities=paired_quantities(invoice, po),
            net_total=invoice.net_total,
            user=user,
            action=entry.action,
            invoice_number=invoice.invoice_number,
        )
    else:
        purchasing_services.purchase_order_unchanged_check(
            transaction=transaction, po=po
        )

    def committed() -> None:
        if refresh_po is not None:
            refresh_po()
        refresh_invoice()

    return committed


def invoices_reconcile_batch(
    pairs: Sequence[tuple[Invoice, Any]],
    *,
    heads: dict | None = None,
) -> list[matching.MatchReport] | None:
    """
    Reconcile received invoices of *different* POs for the batch job, all in
    one transaction (fewer round trips than one each), each outcome with its
    BATCH_RECONCILE entry and conditioned exactly as `invoice_reconcile`.

    Returns the reports in order; None when a condition failed (an invoice
    reconciled meanwhile, a PO changed), in which case nothing was written
    and the caller reconciles these invoices one by one. `heads` are audit
    chain heads the caller read for many batches at once (`audit_heads_read`).
    """
    reports, writes = [], []
    for invoice, po in pairs:
        report, report_dict, changes = _outcome(invoice, po)
        reports.append(report)
        if changes:
            writes.append((invoice, po, report, report_dict))
    if not writes:
        return reports
    try:
        with dynamo.write_transaction() as transaction:
            audit_heads_prefetch(
                transaction,
                head_item_keys(
                    [("invoice", w[0]) for w in writes]
                    + [("purchase_order", w[1]) for w in writes]
                ),
                known=heads,
            )
            updates = [
                _record_add(transaction, *write, JOB_USER, True) for write in writes
            ]
    except (StaleRecord, ValidationFailed):
        return None
    for committed in updates:
        committed()
    return reports
