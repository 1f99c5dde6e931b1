"""
Accepted variances (issue 15, "Accepting a variance"): a clerk sends a
rejected PO invoice to approval with a note; an approver accepts its
findings with a reason, and the invoice becomes `matched`.

An acceptance is the match reconciliation refused, made by a person: its
quantities and net amount are added to the PO's invoiced figures in the same
transaction as the invoice's move and both audit entries, conditioned on the
invoice being `rejected` at the version read and on the PO's version as read
(`purchasing.services.purchase_order_invoiced_add`, as reconciliation does).
Two approvers clicking at once, or an acceptance racing a correction, so give
one outcome: the loser re-reads and is refused by the invoice's new state.

Where the issue is silent, these are the choices (as Oracle Payables'
"release hold" and SAP's "release blocked invoice" would have them):

* What is accepted is what reconciliation finds *now*: the acceptance runs
  the matching rules again against the PO as read; when the findings differ
  from the report the approver saw (another invoice matched meanwhile, goods
  were received, the PO was closed), it is refused (409) with the findings
  of today, since the approver accepted something else. The clerk corrects
  and resubmits it, which reconciles it again.
* Never accepted: `VENDOR_MISMATCH`, `CURRENCY_MISMATCH` (entry errors) and
  `PO_NOT_APPROVED` (nothing may be billed against that PO yet); every other
  finding, `UNMATCHED_LINE` included, may be accepted. An unpaired line adds
  no quantity to the PO but its amount counts in the invoiced net total.
* The amount compared with the approver's limit is the invoice's net total
  (its lines, before tax), the same measure as a PO's approval, converted to
  the base currency at the rate in effect today; the rules are the PO
  approval's own (`purchasing.rules.check_approval`,
  `purchasing.selectors.amount_value`).
* Segregation: not the clerk who entered it (`submitted_by`), nor whoever sent
  it to approval; a superuser acts as an approver, as elsewhere.
* Sending names who is *asked*, not who may accept: `approver` is one chosen
  approver (active, Approver role, limit covering the invoice, neither its
  clerk nor the sender), or none for "any approver whose limit covers it".
  Any entitled approver may accept it from the invoice's page either way;
  the queue ("Variances sent to me") shows it to the chosen one, or to every
  approver whose limit covers it. Sending again replaces the request (the
  audit entry keeps the one replaced). The note is required.
* The request leaves the queue (its fields removed) when the variance is
  accepted, or the invoice corrected or voided.
* E-mail: there is no switch of its own yet (one would be a Profile field and
  a migration): the request follows "A purchase order awaits my approval".
"""

import json
from decimal import Decimal
from typing import Any

from accounts.roles import Role, has_role, require_role
from accounts.selectors import approval_limit_get, approver_named
from audit.entries import actor_id
from audit.models import AuditAction
from core import dynamo
from core.errors import (
    ApplicationError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleRecord,
    ValidationFailed,
)
from core.money import Money
from core.text import TextError, clean_reason, clean_text
from core.versions import check_version
from core.writes import MAX_ATTEMPTS, audited_update, audited_update_add, retry_pause
from exchange_rates.rules import Conversion
from invoicing import matching, notifications
from invoicing.events import (
    invoice_sent_to_approval_event,
    invoice_variance_accepted_event,
)
from invoicing.models import (
    VARIANCE_FIELDS,
    VARIANCE_SENT,
    Invoice,
    InvoiceStatus,
    invoice_move_check,
)
from invoicing.posting import posting_updates
from invoicing.reconciliation import (
    match_inputs,
    paired_quantities,
    report_as_dict,
    tolerances,
)
from invoicing.selectors import invoice_get_or_404
from purchasing import rules as purchasing_rules
from purchasing import services as purchasing_services
from purchasing.selectors import amount_value, approval_day, purchase_order_get

ACCEPT_ROLES = (Role.APPROVER,)
SEND_ROLES = (Role.AP_CLERK,)
MAX_NOTE = 1000

# Findings that are no variance: the invoice was entered against the wrong
# PO or in the wrong currency, or its PO cannot be billed, or it charges tax
# where none is due (the vendor must reissue it: accepting would book VAT
# that is not owed). A TAX_VARIANCE (a rounding difference) may be accepted.
NOT_ACCEPTABLE = {
    matching.FindingCode.TAX_CATEGORY_MISMATCH: "it charges tax on a code that "
    "carries none (reverse charge, exempt, zero rated)",
    matching.FindingCode.VENDOR_MISMATCH: "the invoice's vendor is not the PO's",
    matching.FindingCode.CURRENCY_MISMATCH: "the invoice is not in the PO's currency",
    matching.FindingCode.PO_NOT_APPROVED: "its PO is not approved or sent",
}

# Only a rejected invoice's variance is accepted (matched is also reached
# from received, by reconciliation, and from scheduled, by a cancellation).
_ACCEPTABLE = {InvoiceStatus.REJECTED: {InvoiceStatus.MATCHED}}


def _name(invoice, *, lower: bool = False) -> str:
    return f"{'invoice' if lower else 'Invoice'} {invoice.invoice_number}"


def _not_acceptable(invoice, codes) -> str | None:
    """Why findings with these `codes` cannot be accepted, or None."""
    refused = [code for code in NOT_ACCEPTABLE if code in set(codes)]
    if not refused:
        return None
    why = "; ".join(f"{code}: {NOT_ACCEPTABLE[code]}" for code in refused)
    return (
        f"{_name(invoice)} cannot be accepted as a variance ({why}): an entry "
        "error or an unapproved PO is not a variance; correct or void the invoice."
    )


def _state_check(invoice, *, verb: str) -> None:
    """A rejected invoice against a PO, with findings that may be accepted."""
    if not invoice.has_po:
        raise InvalidTransition(
            f"{_name(invoice)} has no PO: it is approved, not matched, so there "
            "is no variance to accept."
        )
    invoice_move_check(
        invoice, InvoiceStatus.MATCHED, verb=verb, transitions=_ACCEPTABLE
    )
    codes = [f["code"] for f in (invoice.report or {}).get("findings", [])]
    if refusal := _not_acceptable(invoice, codes):
        raise InvalidTransition(refusal, {"code": "NOT_A_VARIANCE", "findings": codes})


def _acceptance_check(invoice, *, user, limit, value: Conversion | None) -> None:
    """
    Raise the error naming the first rule that refuses `user`'s acceptance:
    the approval rules of a PO (`purchasing.rules.check_approval`: not its
    clerk, an approver, the limit) with a variance's state, and not the
    person who sent it to approval.
    """
    require_role(user, *ACCEPT_ROLES, action="accept invoice variances")
    username = actor_id(user)
    if invoice.variance_queue and invoice.variance_sent_by == username:
        raise PermissionDenied(
            f"You sent {_name(invoice, lower=True)} to approval, so another "
            "approver must accept its variance (no self-approval)."
        )
    purchasing_rules.check_approval(
        name=_name(invoice),
        raised_by=invoice.submitted_by,
        raised="entered",
        approvers=[],
        total=Money(invoice.net_total, invoice.currency),
        username=username,
        is_approver=has_role(user, *ACCEPT_ROLES),
        limit=limit,
        value=value,
        status_check=lambda: _state_check(invoice, verb="accepted"),
        kind="invoice variances",
    )


def invoice_value(invoice) -> Conversion | None:
    """The invoice's net total in the base currency today (None: no rate)."""
    return amount_value(amount=invoice.net_total, currency=invoice.currency)


def acceptance_refusal(invoice, *, user, value: Conversion | None) -> str | None:
    """Why `user` may not accept the invoice's variance now, or None (for the page)."""
    limit = (
        approval_limit_get(user=user) if has_role(user, *ACCEPT_ROLES) else Decimal(0)
    )
    try:
        _acceptance_check(invoice, user=user, limit=limit, value=value)
    except ApplicationError as exc:
        return exc.message
    return None


def sending_refusal(invoice, *, user) -> str | None:
    """Why `user` may not send the invoice to approval now, or None (for the page)."""
    try:
        require_role(user, *SEND_ROLES, action="send invoices to approval")
        _state_check(invoice, verb="sent to approval")
    except ApplicationError as exc:
        return exc.message
    return None


def _changed_findings(invoice, po, stored: list, current: list) -> str | None:
    """What the approver would accept beyond what they saw, or None when nothing."""
    if stored == current:
        return None

    def said(findings) -> str:
        if not findings:
            return "none"
        return "; ".join(
            f"{f['code']}{' line ' + str(f['line']) if f['line'] else ''}: {f['message']}"
            for f in findings
        )

    return (
        f"{po.po_number} changed since {_name(invoice, lower=True)} was rejected: "
        f"reconciliation now finds {said(current)} (the report showed "
        f"{said(stored)}). An acceptance covers what it finds today: correct and "
        "resubmit the invoice to reconcile it again."
    )


def invoice_variance_accept(
    *, invoice_id: str, user, reason: Any, version: int | None = None
) -> Invoice:
    """
    Accept a rejected PO invoice's findings (Approver), with a reason: the
    invoice becomes matched and its quantities and net total are added to
    its PO, in one transaction with both audit entries.
    """
    require_role(user, *ACCEPT_ROLES, action="accept invoice variances")
    reason = clean_reason(reason, missing="Give the reason for accepting the variance.")
    username = actor_id(user)
    limit = approval_limit_get(user=user)
    today = approval_day()
    first_read: int | None = None
    for attempt in range(MAX_ATTEMPTS):
        invoice = invoice_get_or_404(invoice_id=invoice_id)
        value = amount_value(
            amount=invoice.net_total, currency=invoice.currency, on=today
        )
        # The rules first: an invoice accepted or corrected since it was read
        # is refused by its state, not reported as "changed".
        _acceptance_check(invoice, user=user, limit=limit, value=value)
        check_version(invoice, version if first_read is None else first_read)
        first_read = invoice.version
        po = purchase_order_get(po_id=invoice.po_id)
        if po is None:
            raise NotFound(f"The PO of {_name(invoice, lower=True)} no longer exists.")
        report = matching.reconcile(*match_inputs(invoice, po), tolerances())
        report_dict = report_as_dict(report)
        current_codes = [str(f.code) for f in report.findings]
        if refusal := _not_acceptable(invoice, current_codes):
            raise InvalidTransition(
                refusal, {"code": "NOT_A_VARIANCE", "findings": current_codes}
            )
        stored = (invoice.report or {}).get("findings", [])
        if changed := _changed_findings(invoice, po, stored, report_dict["findings"]):
            raise InvalidTransition(
                changed, {"code": "FINDINGS_CHANGED", "findings": current_codes}
            )
        now = dynamo.utcnow()
        acceptance = {
            "by": username,
            "at": now.isoformat(),
            "reason": reason,
            "codes": sorted(set(current_codes)),
        }
        if invoice.variance_queue:
            acceptance |= {
                "sent_by": invoice.variance_sent_by,
                "note": invoice.variance_note,
            }
        report_dict["acceptance"] = acceptance
        updates = {
            "status": InvoiceStatus.MATCHED.value,
            "report_json": json.dumps(report_dict, sort_keys=True),
            "updated_at": now,
            **dict.fromkeys(VARIANCE_FIELDS),
            **posting_updates(invoice, InvoiceStatus.MATCHED),
        }
        entry = invoice_variance_accepted_event(
            invoice=invoice, user=user, reason=reason, findings=report.findings,
            limit=limit, value=value,
        )  # fmt: skip
        try:
            with dynamo.write_transaction() as transaction:
                refresh_invoice = audited_update_add(
                    transaction,
                    invoice,
                    updates,
                    entry=entry,
                    condition=Invoice.status == InvoiceStatus.REJECTED.value,
                )
                refresh_po = purchasing_services.purchase_order_invoiced_add(
                    transaction=transaction,
                    po=po,
                    quantities=paired_quantities(invoice, po),
                    net_total=invoice.net_total,
                    user=user,
                    action=AuditAction.ACCEPT_VARIANCE,
                    invoice_number=invoice.invoice_number,
                )
        except StaleRecord:
            # The invoice or its PO changed: read both again; the rules name a
            # new state, `check_version` a changed invoice, and a changed PO
            # is accepted only if its findings are still those accepted.
            retry_pause(attempt)
            continue
        refresh_po()
        refresh_invoice()
        return invoice
    raise StaleRecord("The invoice or its PO kept changing; try again.")


def _clean_note(note: Any) -> str:
    missing = "Add a note for the approver: what to accept, and why."
    try:
        cleaned = clean_text(note, max_length=MAX_NOTE)
    except TextError as exc:
        raise ValidationFailed(f"The note: {exc}", {"note": str(exc)}) from None
    if cleaned is None:
        raise ValidationFailed(missing, {"note": missing})
    return cleaned


def _chosen_approver(invoice, *, approver: Any, sender: str, value) -> str | None:
    """The username of the approver asked (None: any), refused unless they may accept it."""
    if approver in (None, ""):
        return None

    def refuse(message: str):
        raise ValidationFailed(message, {"approver": message})

    chosen = (
        approver_named(username=str(approver)) if isinstance(approver, str) else None
    )
    if chosen is None:
        refuse(f"There is no active approver named '{approver}'.")
    username = chosen.get_username()
    if username == invoice.submitted_by:
        refuse(
            f"{username} entered {_name(invoice, lower=True)} and cannot accept its "
            "variance (no self-approval); choose another approver."
        )
    if username == sender:
        refuse("Send it to another approver: nobody accepts what they sent.")
    if value is not None and value.base_amount > approval_limit_get(user=chosen):
        refuse(
            f"{username}'s approval limit does not cover {_name(invoice, lower=True)} "
            f"(worth {value.base_money}); choose an approver whose limit covers it."
        )
    return username


def invoice_send_to_approval(
    *,
    invoice_id: str,
    user,
    note: Any,
    approver: Any = None,
    version: int | None = None,
) -> Invoice:
    """
    Send a rejected PO invoice to approval (AP Clerk), with a note, to one
    approver or (`approver` None) any whose limit covers it; they are e-mailed.
    """
    require_role(user, *SEND_ROLES, action="send invoices to approval")
    note = _clean_note(note)
    sender = actor_id(user)
    first_read: int | None = None
    for attempt in range(MAX_ATTEMPTS):
        invoice = invoice_get_or_404(invoice_id=invoice_id)
        _state_check(invoice, verb="sent to approval")
        check_version(invoice, version if first_read is None else first_read)
        first_read = invoice.version
        value = invoice_value(invoice)
        sent_to = _chosen_approver(
            invoice, approver=approver, sender=sender, value=value
        )
        updates = {
            "variance_queue": VARIANCE_SENT,
            "variance_sent_at": dynamo.utcnow(),
            "variance_sent_by": sender,
            "variance_sent_to": sent_to,
            "variance_note": note,
            "updated_at": dynamo.utcnow(),
        }
        entry = invoice_sent_to_approval_event(
            invoice=invoice, user=user, sent_to=sent_to, note=note
        )
        try:
            audited_update(
                invoice,
                updates,
                entry=entry,
                condition=Invoice.status == InvoiceStatus.REJECTED.value,
            )
        except StaleRecord:
            if version is not None:
                raise
            retry_pause(attempt)
            continue
        notifications.notify_variance_sent(invoice, value=value)
        return invoice
    raise StaleRecord("The invoice kept changing; try again.")
