"""
Every write to a vendor. Each is one conditional TransactWrite holding the
change and its VENDOR_ACTION audit entry: both are written or neither.
"""

import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings

from accounting.selectors import accounting_code_get
from accounts.roles import Role, require_role
from audit.entries import actor_id, audit_entry_add, changed_fields
from core import dynamo
from core.errors import (
    ApplicationError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleRecord,
    ValidationFailed,
)
from core.transitions import check_transition
from core.versions import check_version
from core.writes import (
    audited_update,
    audited_update_add,
    derived_keys_backfill,
    search_index_change,
)
from vendors.duplicates import identity_refusals
from vendors.events import (
    vendor_bank_details_confirmed_event,
    vendor_created_event,
    vendor_deleted_event,
    vendor_payment_hold_put_event,
    vendor_updated_event,
)
from vendors.imports import ROW, ImportRow, check_vendor_rows, read_vendor_csv
from vendors.models import (
    LISTING,
    VENDOR_TRANSITIONS,
    Vendor,
    VendorBankQueueKey,
    VendorOrderCounter,
    VendorStatus,
    VendorTaxIdKey,
    VendorVatIdKey,
    bank_queue_fields,
    name_key,
    tax_id_key,
)
from vendors.notifications import (
    notify_bank_details_awaiting,
    notify_imported_bank_details_awaiting,
)
from vendors.selectors import (
    vendor_get,
    vendor_get_or_404,
    vendors_by_tax_id_key,
    vendors_with_identity,
)
from vendors.validation import (
    BANK_FIELDS,
    CODING_FIELDS,
    MAX_LENGTHS,
    NEW_STATUS_REFUSED,
    NEW_VENDOR_STATUSES,
    clean_vendor_fields,
    new_vendor_values,
    vendor_snapshot,
)


def vendor_create(
    *,
    user,
    fields: Mapping[str, Any],
    source: str | None = None,
    notify: bool = True,
) -> Vendor:
    """
    Create a vendor (AP Clerk). New bank details await a second user's
    confirmation: the other AP clerks are e-mailed, unless not `notify` (an
    import tells them once for the whole file).

    `source` says where the fields came from (an import file) on the audit entry.
    """
    require_role(user, Role.AP_CLERK, action="create vendors")
    cleaned = clean_vendor_fields(new_vendor_values(fields))
    if cleaned["status"] not in NEW_VENDOR_STATUSES:
        raise InvalidTransition(NEW_STATUS_REFUSED)
    _check_coding_defaults(cleaned, fields=CODING_FIELDS)
    _refuse_duplicate_identity(cleaned, fields={"tax_id", "vat_id"})
    now = dynamo.utcnow()
    actor = actor_id(user)
    has_bank = bool(cleaned["iban"] or cleaned["account_number"])
    vendor = Vendor(
        id=str(uuid.uuid4()),
        name_key=name_key(cleaned["name"]),
        tax_id_key=tax_id_key(cleaned["tax_id"]),
        vat_id_key=tax_id_key(cleaned["vat_id"]),
        created_at=now,
        updated_at=now,
        created_by=actor,
        updated_by=actor,
        **bank_queue_fields(changed_by=actor if has_bank else None, at=now),
        **cleaned,
    )
    entry = vendor_created_event(
        vendor=vendor, user=user, fields=cleaned, source=source
    )
    with dynamo.write_transaction() as transaction:
        transaction.save(vendor, condition=Vendor.id.does_not_exist())
        audit_entry_add(transaction, entry)
        search_index_change(transaction, after=vendor)
    if notify and vendor.bank_details_awaiting_confirmation:
        notify_bank_details_awaiting(vendor)
    return vendor


@dataclass
class VendorImport:
    """Every row of an import file: what it became, or why it did not."""

    rows: list[ImportRow]
    imported: dict[int, Vendor]  # by row number

    @property
    def not_imported(self) -> list[ImportRow]:
        return [row for row in self.rows if row.number not in self.imported]

    @property
    def valid_count(self) -> int:
        return sum(row.valid for row in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.rows) - self.valid_count


def vendors_import(
    *, user, content: bytes, filename: str, dry_run: bool = False
) -> VendorImport:
    """
    Check every row of a vendor CSV file and create a vendor from each valid one.

    Each row goes through `vendor_create`: its own transaction and audit entry,
    bank details awaiting a second clerk's confirmation (the other clerks get
    one e-mail for the file, not one per row). With `dry_run`,
    nothing is written (the preview). A file that cannot be read at all raises
    ValidationFailed; a row refused when written keeps the refusal as its error.
    Tax ids are checked against stored vendors through the tax-id index.
    """
    require_role(user, Role.AP_CLERK, action="import vendors")
    rows = read_vendor_csv(
        content,
        max_bytes=settings.VENDOR_IMPORT_MAX_BYTES,
        max_rows=settings.VENDOR_IMPORT_MAX_ROWS,
    )
    rows = check_vendor_rows(
        rows, existing_tax_ids=_stored_tax_ids, existing_vat_ids=_stored_vat_ids
    )
    result = VendorImport(rows=rows, imported={})
    if dry_run:
        return result
    valid = [row for row in rows if row.valid]
    # Rows are independent transactions: a few at a time keeps a file of
    # thousands within a request's time, waiting on round trips in parallel.
    with ThreadPoolExecutor(max_workers=settings.VENDOR_IMPORT_WORKERS) as pool:
        created = list(pool.map(partial(_import_row, user, filename), valid))
    result.imported = {
        row.number: vendor
        for row, vendor in zip(valid, created, strict=True)
        if vendor is not None
    }
    awaiting = [
        v for v in result.imported.values() if v.bank_details_awaiting_confirmation
    ]
    if awaiting:
        notify_imported_bank_details_awaiting(awaiting, changed_by=actor_id(user))
    return result


def _import_row(user, filename: str, row: ImportRow) -> Vendor | None:
    """Create the row's vendor, or record on the row why it was refused."""
    try:
        return vendor_create(
            user=user,
            fields=row.fields,
            source=f"CSV import of {filename}, row {row.number}",
            notify=False,
        )
    except ApplicationError as exc:
        row.errors.update(getattr(exc, "field_errors", None) or {ROW: exc.message})
        return None


def _stored_tax_ids(keys: set[str]) -> dict[str, str]:
    found = vendors_by_tax_id_key(keys=keys)
    return {key: vendors[0].name for key, vendors in found.items() if vendors}


def _stored_vat_ids(keys: set[str]) -> dict[str, str]:
    found = vendors_by_tax_id_key(keys=keys, index=Vendor.vat_id_index)
    return {key: vendors[0].name for key, vendors in found.items() if vendors}


def vendor_update(
    *, vendor_id: str, user, changes: Mapping[str, Any], version: int | None = None
) -> Vendor:
    """
    Apply `changes` to a vendor (AP Clerk), refusing a stale `version`.

    Without `version` the update is still conditional on the version just read,
    so a concurrent change is never overwritten. Changed bank details await
    another user's confirmation; the other AP clerks are e-mailed.
    """
    require_role(user, Role.AP_CLERK, action="edit vendors")
    vendor = vendor_get_or_404(vendor_id=vendor_id)
    check_version(vendor, version)
    before = vendor_snapshot(vendor)
    merged = {**before, **changes}
    if "vat_id" in changes and "tax_country" not in changes:
        merged["tax_country"] = None  # taken from the new VAT id
    cleaned = clean_vendor_fields(merged)
    diff = changed_fields(before, cleaned)
    if not diff["after"]:
        return vendor
    # A default deactivated since it was set stays until someone changes it.
    _check_coding_defaults(cleaned, fields=set(diff["after"]) & set(CODING_FIELDS))

    if "status" in diff["after"]:
        _check_status_change(vendor, VendorStatus(cleaned["status"]))
    # A duplicate stored before this rule does not block unrelated edits.
    _refuse_duplicate_identity(
        cleaned, fields={"tax_id", "vat_id"} & set(diff["after"]), vendor_id=vendor.id
    )

    actor = actor_id(user)
    now = dynamo.utcnow()
    updates: dict[str, Any] = dict(diff["after"])
    if "name" in updates:
        updates["name_key"] = name_key(updates["name"])
    if "tax_id" in updates:
        updates["tax_id_key"] = tax_id_key(updates["tax_id"])
    if "vat_id" in updates:
        updates["vat_id_key"] = tax_id_key(updates["vat_id"])
    if any(field in updates for field in BANK_FIELDS):
        has_bank = bool(cleaned["iban"] or cleaned["account_number"])
        updates.update(
            bank_queue_fields(changed_by=actor if has_bank else None, at=now)
        )
    updates["updated_at"] = now
    updates["updated_by"] = actor

    entry = vendor_updated_event(
        vendor=vendor,
        user=user,
        changes=diff,
        name=cleaned["name"],
        bank_details_held=bool(updates.get("bank_details_changed_by")),
    )
    vendor = audited_update(vendor, updates, entry=entry)
    if updates.get("bank_details_changed_by"):
        notify_bank_details_awaiting(vendor)
    return vendor


def _check_coding_defaults(cleaned: Mapping[str, Any], *, fields) -> None:
    """Refuse coding defaults that name no code, or an inactive one."""
    errors = {}
    for field in fields:
        code = cleaned.get(field)
        if not code:
            continue
        kind, label = CODING_FIELDS[field]
        record = accounting_code_get(kind=kind, code=code)
        if record is None:
            errors[field] = f"{label} {code} does not exist: choose an existing one."
        elif not record.active:
            errors[field] = (
                f"{label} {code} is inactive: new documents cannot use it, so "
                "choose an active one."
            )
    if errors:
        message = (
            next(iter(errors.values()))
            if len(errors) == 1
            else "Please correct the highlighted fields."
        )
        raise ValidationFailed(message, errors)


def _refuse_duplicate_identity(
    cleaned: Mapping[str, Any], *, fields: set[str], vendor_id: str | None = None
) -> None:
    """
    Refuse a tax id or VAT id (of `fields`) another vendor holds, naming it.

    Read through the sparse tax-id and VAT-id indexes; like the import's
    check, two clerks entering one vendor at the same second may both pass.
    """
    if not fields:
        return
    collisions = vendors_with_identity(
        tax_id=cleaned["tax_id"] if "tax_id" in fields else None,
        vat_id=cleaned["vat_id"] if "vat_id" in fields else None,
        vendor_id=vendor_id,
    )
    if not collisions:
        return
    errors = identity_refusals(collisions, values=cleaned)
    message = (
        next(iter(errors.values()))
        if len(errors) == 1
        else "Please correct the highlighted fields."
    )
    refusal = ValidationFailed(message, errors)
    others = {other.id: other for found in collisions.values() for _, other in found}
    refusal.extra["duplicates"] = [
        {"id": other.id, "name": other.name} for other in others.values()
    ]
    raise refusal


def _check_status_change(vendor: Vendor, new: VendorStatus) -> None:
    """Refuse a status VENDOR_TRANSITIONS does not allow from the vendor's."""
    check_transition(
        VENDOR_TRANSITIONS,
        current=VendorStatus(vendor.status),
        target=new,
        name=vendor.name,
        kind="vendors",
        verb=f"set {new}",
    )


def vendor_bank_details_confirm(*, vendor_id: str, user, version: int) -> Vendor:
    """
    Confirm changed bank details; only someone other than who changed them may.

    `version` is required: it proves which bank details the confirmer saw.
    """
    require_role(user, Role.AP_CLERK, action="confirm bank details")
    vendor = vendor_get_or_404(vendor_id=vendor_id)
    check_version(vendor, version)
    if not vendor.bank_details_awaiting_confirmation:
        raise InvalidTransition(
            "This vendor's bank details are not awaiting confirmation."
        )
    if vendor.bank_details_changed_by == actor_id(user):
        raise PermissionDenied(
            "You changed these bank details, so another user must confirm them "
            "(segregation of duties)."
        )
    entry = vendor_bank_details_confirmed_event(vendor=vendor, user=user)
    updates = {
        **bank_queue_fields(changed_by=None, at=None),
        "updated_at": dynamo.utcnow(),
        "updated_by": actor_id(user),
    }
    return audited_update(vendor, updates, entry=entry)


def vendor_delete(*, vendor_id: str, user, version: int | None = None) -> None:
    """Delete a vendor that has no purchase orders (AP Clerk)."""
    require_role(user, Role.AP_CLERK, action="delete vendors")
    vendor = vendor_get_or_404(vendor_id=vendor_id)
    check_version(vendor, version)
    _refuse_if_has_orders(vendor)
    entry = vendor_deleted_event(vendor=vendor, user=user)
    try:
        with dynamo.write_transaction() as transaction:
            transaction.delete(vendor, condition=Vendor.po_count == 0)
            audit_entry_add(transaction, entry)
            search_index_change(transaction, before=vendor)
    except StaleRecord:
        # Explain the refusal: gone, gained a PO, or edited meanwhile.
        current = vendor_get(vendor_id=vendor_id)
        if current is None:
            raise NotFound("This vendor was already deleted by someone else.") from None
        _refuse_if_has_orders(current)
        raise


def _refuse_if_has_orders(vendor: Vendor) -> None:
    if vendor.po_count:
        raise InvalidTransition(
            f"{vendor.name} has {vendor.po_count} purchase order(s) and cannot be deleted; "
            "set the vendor inactive instead."
        )


def vendor_po_count_change(*, transaction, vendor_id: str, delta: int) -> None:
    """
    Add `delta` to the vendor's PO count inside the caller's transaction.

    A new PO (delta > 0) is conditioned on the vendor being active, so a
    vendor suspended or deleted at the same moment cannot receive it.
    """
    counter = VendorOrderCounter(vendor_id)
    condition = VendorOrderCounter.id.exists()
    if delta > 0:
        condition &= VendorOrderCounter.status == VendorStatus.ACTIVE.value
    transaction.update(
        counter, actions=[VendorOrderCounter.po_count.add(delta)], condition=condition
    )


def vendor_tax_id_keys_backfill(*, dry_run: bool = False) -> int:
    """
    Give each vendor stored before the tax-id index its key; return how many lacked it.

    Reads the whole table once: an operator's one-off (`manage.py
    index_vendor_tax_ids`), never a request. Each key is written on condition
    that the tax id is still the one read; a vendor edited meanwhile got its key
    from `vendor_update`.
    """
    return _identifier_keys_backfill(
        VendorTaxIdKey, VendorTaxIdKey.tax_id, VendorTaxIdKey.tax_id_key, dry_run
    )


def vendor_vat_id_keys_backfill(*, dry_run: bool = False) -> int:
    """
    Give each vendor stored before the VAT-id index its key; return how many
    lacked it. An operator's one-off (`manage.py index_vendors`), reading the
    table once, like `vendor_tax_id_keys_backfill`.
    """
    return _identifier_keys_backfill(
        VendorVatIdKey, VendorVatIdKey.vat_id, VendorVatIdKey.vat_id_key, dry_run
    )


def _identifier_keys_backfill(view, source, key, dry_run: bool) -> int:
    """Set `key` to tax_id_key(`source`) where it differs (attributes of `view`)."""

    def change(item):
        value = getattr(item, source.attr_name)
        wanted = tax_id_key(value)
        if getattr(item, key.attr_name) == wanted:
            return None
        action = key.set(wanted) if wanted else key.remove()
        return item, [action], source == value

    return derived_keys_backfill(
        view.scan(filter_condition=source.exists()), change, dry_run=dry_run
    )


def vendor_bank_queue_keys_backfill(*, dry_run: bool = False) -> int:
    """
    Put each vendor whose bank details awaited confirmation before the queue's
    index existed in the queue; return how many lacked its keys.

    Reads the whole table once: an operator's one-off (`manage.py
    index_vendors`), never a request. The change's time is taken as the
    vendor's last update, the best one known. Each key is written on
    condition that the same user's change still awaits.
    """

    def change(item):
        actions = [
            VendorBankQueueKey.bank_details_queue.set(LISTING),
            VendorBankQueueKey.bank_details_changed_at.set(
                item.updated_at or dynamo.utcnow()
            ),
        ]
        condition = (
            VendorBankQueueKey.bank_details_changed_by == item.bank_details_changed_by
        )
        return item, actions, condition

    lacking = VendorBankQueueKey.bank_details_changed_by.exists() & (
        VendorBankQueueKey.bank_details_queue.does_not_exist()
    )
    items = VendorBankQueueKey.scan(filter_condition=lacking)
    return derived_keys_backfill(items, change, dry_run=dry_run)


def vendor_payment_hold_put(*, transaction, vendor: Vendor, reason: str, user):
    """
    Add to the caller's `transaction` putting `vendor` (as read) on payment
    hold with no end date for `reason`, with its audit entry; return what sets
    the hold on `vendor` once the transaction has committed.

    For the writes that find a reason not to pay a vendor on their own (a
    bank returning a transfer, payments.bank_answers); conditioned on the
    vendor's version as read, so a concurrent edit is retried, not merged.
    The caller checked who may do so.
    """
    reason = reason[: MAX_LENGTHS["payment_hold_reason"]]
    entry = vendor_payment_hold_put_event(vendor=vendor, user=user, reason=reason)
    return audited_update_add(
        transaction,
        vendor,
        {
            "payment_hold": True,
            "payment_hold_reason": reason,
            "payment_hold_until": None,
            "updated_at": dynamo.utcnow(),
            "updated_by": actor_id(user),
        },
        entry=entry,
    )
