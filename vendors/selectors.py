"""Reads of vendors, always by key or through an index."""

import operator
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import reduce

from audit.entries import actor_id
from audit.selectors import record_not_found
from core import dynamo
from core.exports import Export, every_item, iso_date
from treasury.selectors import bank_accounts_with_iban
from vendors import bank_details, duplicates
from vendors.bank_details import IbanSharing
from vendors.duplicates import VendorLink, VendorWarning
from vendors.models import LISTING, NAME_KEY_MAX_BYTES, Vendor, name_key, tax_id_key

LOOKUP_WORKERS = 8


def vendor_get(*, vendor_id: str) -> Vendor | None:
    if not vendor_id or len(vendor_id) > 100:
        return None
    try:
        return Vendor.get(vendor_id, consistent_read=True)
    except Vendor.DoesNotExist:
        return None


def vendor_get_or_404(*, vendor_id: str) -> Vendor:
    vendor = vendor_get(vendor_id=vendor_id)
    if vendor is None:
        raise record_not_found(entity_type="vendor", entity_id=vendor_id)
    return vendor


def vendors_get_many(*, vendor_ids: set[str]) -> dict[str, Vendor]:
    """Return the vendors with these ids, read consistently in batches of 100."""
    if not vendor_ids:
        return {}
    vendors = Vendor.batch_get(list(vendor_ids), consistent_read=True)
    return {vendor.id: vendor for vendor in vendors}


def vendors_by_tax_id_key(
    *, keys: Iterable[str], index=Vendor.tax_id_index
) -> dict[str, list[Vendor]]:
    """
    Return the vendors holding each normalised tax id: one index query per id
    (`index` Vendor.vat_id_index: each normalised VAT id).

    The queries run a few at a time, so checking an import file of thousands
    of rows waits for the round trips in parallel rather than one by one.
    """
    keys = sorted(set(keys))
    with ThreadPoolExecutor(max_workers=LOOKUP_WORKERS) as pool:
        found = pool.map(lambda key: list(index.query(key)), keys)
        return dict(zip(keys, found, strict=True))


def vendors_with_iban(*, iban: str | None) -> list[Vendor]:
    """The vendors whose IBAN (normalised) is `iban`, by name: one index query."""
    if not iban:
        return []
    found = list(Vendor.iban_index.query(iban))
    return sorted(found, key=lambda v: (v.name_key, v.id))


def iban_sharing(*, iban: str | None, vendor_id: str | None) -> IbanSharing:
    """
    Who else has this IBAN: the other vendors and the company's own accounts
    (two index queries). `vendor_id` is the vendor whose IBAN it is (None
    for one not saved yet); its `message` reads "2 vendors share this IBAN:
    A, B".
    """
    iban = bank_details.normalise_iban(iban or "") or None
    if not iban:
        return IbanSharing(iban=None, vendor_id=vendor_id)
    return IbanSharing(
        iban=iban,
        vendor_id=vendor_id,
        vendors=tuple(vendors_with_iban(iban=iban)),
        company_accounts=tuple(
            account.name for account in bank_accounts_with_iban(iban=iban)
        ),
    )


def iban_sharings(*, ibans: dict[str, str | None]) -> dict[str, IbanSharing]:
    """
    `iban_sharing` for many vendors at once (`ibans`: IBAN by vendor id, a
    payment run's payees): each IBAN looked up once, a few at a time.
    """
    distinct = sorted(
        {bank_details.normalise_iban(iban or "") for iban in ibans.values()} - {""}
    )
    with ThreadPoolExecutor(max_workers=LOOKUP_WORKERS) as pool:
        found = dict(
            zip(
                distinct,
                pool.map(
                    lambda iban: iban_sharing(iban=iban, vendor_id=None), distinct
                ),
                strict=True,
            )
        )
    result = {}
    for vendor_id, iban in ibans.items():
        shared = found.get(bank_details.normalise_iban(iban or ""))
        result[vendor_id] = (
            replace(shared, vendor_id=vendor_id)
            if shared
            else IbanSharing(iban=None, vendor_id=vendor_id)
        )
    return result


# How many names from a similar name's prefix on are compared: the names
# sharing a company's first words are few; past that many, the rest are
# not read (a warning is a help, not a guarantee).
SIMILAR_NAMES_READ = 50


def vendors_with_similar_name(
    *, name: str | None, vendor_id: str | None = None
) -> list[Vendor]:
    """
    The other vendors whose name is `name` without its legal form (Müller
    GmbH, Müller AG): one name-index query from the names' common prefix.
    """
    if not name or not name.strip():
        return []
    prefix = duplicates.likeness_prefix(name)
    if not prefix or len(prefix.encode()) > NAME_KEY_MAX_BYTES:
        return []
    candidates = Vendor.name_index.query(
        LISTING,
        Vendor.name_key.startswith(prefix),
        limit=SIMILAR_NAMES_READ,
    )
    return duplicates.similar_names(name, candidates, exclude_id=vendor_id)


def vendors_with_identity(
    *, tax_id: str | None, vat_id: str | None, vendor_id: str | None = None
) -> dict[str, list[tuple[str, Vendor]]]:
    """
    The other vendors holding this tax id or VAT id, by the field they
    collide on ("tax_id", "vat_id"), each with the field of theirs that
    holds it: a tax id is also compared with VAT ids and the other way round
    ("VAT number or EIN" is what the tax id field asks for). Index queries
    only.
    """
    keys = {"tax_id": tax_id_key(tax_id), "vat_id": tax_id_key(vat_id)}
    indexes = {"tax_id": Vendor.tax_id_index, "vat_id": Vendor.vat_id_index}
    found: dict[str, list[tuple[str, Vendor]]] = {}
    seen: set[tuple[str, str]] = set()
    for field, key in keys.items():
        if not key:
            continue
        for their_field, index in indexes.items():
            for other in index.query(key):
                if other.id == vendor_id or (field, other.id) in seen:
                    continue
                seen.add((field, other.id))
                found.setdefault(field, []).append((their_field, other))
    return found


def vendor_warnings(*, vendor) -> list[VendorWarning]:
    """
    What a clerk should check about a vendor that does not stop its save: a
    similar name, a BIC the bank registry lacks, an IBAN another vendor or
    the company itself has. Shown after a save, on the vendor's page and
    on the bank-detail confirmation; the API returns them with the vendor.
    """
    warnings = []
    similar = duplicates.similar_name_warning(
        vendors_with_similar_name(name=vendor.name, vendor_id=vendor.id)
    )
    if similar:
        warnings.append(similar)
    if vendor.bic and (message := bank_details.bic_registry_warning(vendor.bic)):
        warnings.append(
            VendorWarning(
                code=duplicates.BIC_NOT_IN_REGISTRY, field="bic", message=message
            )
        )
    sharing = iban_sharing(iban=vendor.iban, vendor_id=vendor.id)
    if sharing.flagged:
        warnings.append(
            VendorWarning(
                code=(
                    duplicates.IBAN_COMPANY_ACCOUNT
                    if sharing.is_company_account
                    else duplicates.IBAN_SHARED
                ),
                field="iban",
                message=sharing.message,
                vendors=tuple(
                    VendorLink(id=other.id, name=other.name)
                    for other in sharing.other_vendors
                ),
            )
        )
    return warnings


def vendor_list(
    *,
    status: str | None = None,
    name_prefix: str | None = None,
    bank_details_awaiting: bool = False,
    not_changed_by: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dynamo.Page:
    """
    Return a page of vendors: newest first, or by name when searching a name.

    A name search reads the name index from the prefix on; with a status it
    filters that range, so its cost follows the matching names, not the table.
    With `bank_details_awaiting`, the vendors whose bank details await
    confirmation, oldest change first, from the sparse queue index (its cost
    follows the queue, never the table); `not_changed_by` leaves out the
    changes that user made, which they may not confirm themselves.
    """
    if bank_details_awaiting:
        return _bank_queue_page(
            status=status,
            name_prefix=name_prefix,
            not_changed_by=not_changed_by,
            cursor=cursor,
            limit=limit,
        )
    if name_prefix and name_prefix.strip():
        prefix = name_key(name_prefix)
        if len(prefix.encode()) > NAME_KEY_MAX_BYTES:
            return dynamo.Page(
                items=[], next_cursor=None
            )  # no stored name is that long
        return dynamo.query_page(
            Vendor.name_index,
            LISTING,
            range_key_condition=Vendor.name_key.startswith(prefix),
            filter_condition=(Vendor.status == status) if status else None,
            cursor=cursor,
            limit=limit,
            newest_first=False,
            scope=f"{prefix}|{status or ''}",
        )
    if status:
        return dynamo.query_page(
            Vendor.status_index, status, cursor=cursor, limit=limit
        )
    return dynamo.query_page(Vendor.listing_index, LISTING, cursor=cursor, limit=limit)


def _bank_queue_page(
    *, status, name_prefix, not_changed_by, cursor, limit
) -> dynamo.Page:
    conditions = []
    prefix = name_key(name_prefix) if name_prefix and name_prefix.strip() else ""
    if len(prefix.encode()) > NAME_KEY_MAX_BYTES:
        return dynamo.Page(items=[], next_cursor=None)  # no stored name is that long
    if prefix:
        conditions.append(Vendor.name_key.startswith(prefix))
    if status:
        conditions.append(Vendor.status == status)
    if not_changed_by:
        conditions.append(Vendor.bank_details_changed_by != not_changed_by)
    return dynamo.query_page(
        Vendor.bank_queue_index,
        LISTING,
        filter_condition=reduce(operator.and_, conditions) if conditions else None,
        cursor=cursor,
        limit=limit,
        newest_first=False,
        scope=f"{prefix}|{status or ''}|{not_changed_by or ''}",
    )


def vendors_awaiting_confirmation_by(*, user, limit: int) -> tuple[list[Vendor], int]:
    """
    Return the oldest few vendors whose bank details `user` may confirm (changed
    by someone else), and how many there are: one counting query on the queue.
    """
    actor = actor_id(user)
    count = Vendor.bank_queue_index.count(
        LISTING, filter_condition=Vendor.bank_details_changed_by != actor
    )
    if not count:
        return [], 0
    page = vendor_list(bank_details_awaiting=True, not_changed_by=actor, limit=limit)
    return page.items, count


def vendor_export(
    *,
    status: str | None = None,
    name_prefix: str | None = None,
    bank_details_awaiting: bool = False,
    not_changed_by: str | None = None,
) -> Export:
    """
    Return every vendor the list shows with these filters, for download.

    Bank details are left out: a vendor master file travels by e-mail and
    shared drives, and account numbers are what a fraudster needs.
    """
    vendors = every_item(
        vendor_list,
        status=status,
        name_prefix=name_prefix,
        bank_details_awaiting=bank_details_awaiting,
        not_changed_by=not_changed_by,
    )
    return Export(
        name="vendors",
        header=[
            "Name", "Status", "E-mail", "Phone", "Address", "Street",
            "Building number", "Address line 2", "Postcode", "Town", "Country",
            "Tax id", "VAT id", "Remittance advice",
            "Payment terms", "Currency", "Payment hold", "Hold reason", "Hold until",
            "Bank details awaiting confirmation", "Purchase orders", "Created",
            "Created by", "Updated", "Updated by", "Id",
        ],
        rows=(
            [
                v.name, v.status, v.email, v.phone, v.address, v.street,
                v.building_number, v.address_line2, v.postcode, v.town, v.country,
                v.tax_id, v.vat_id, v.sends_remittance_advice,
                v.payment_terms, v.currency, v.payment_hold, v.payment_hold_reason,
                iso_date(v.payment_hold_until), v.bank_details_awaiting_confirmation,
                v.po_count, v.created_at, v.created_by, v.updated_at, v.updated_by,
                v.id,
            ]
            for v in vendors
        ),
    )  # fmt: skip


def vendor_search(*, text: str, limit: int = 10) -> dynamo.Page:
    """
    Return vendors whose name starts with `text` (any case), the exact name
    first: the name index is in name order, and a name sorts before every
    longer name it begins.
    """
    if not text.strip():
        return dynamo.Page(items=[], next_cursor=None)
    return vendor_list(name_prefix=text, limit=limit)


def vendor_choices_active(*, limit: int = 500) -> list[tuple[str, str]]:
    """Return (id, name) of active vendors by name, for a PO's vendor picker."""
    page = dynamo.query_page(Vendor.status_index, "active", limit=limit)
    return sorted(
        ((v.id, v.name) for v in page.items), key=lambda choice: choice[1].casefold()
    )


def vendor_choices(*, limit: int = 500) -> list[tuple[str, str]]:
    """
    Return (id, label) of every vendor by name, its status beside any not active.

    For finding POs and invoices: an inactive or suspended vendor's still need
    finding, and a vendor without any is better listed with an empty result
    than missing from the list.
    """
    page = dynamo.query_page(
        Vendor.name_index, LISTING, limit=limit, newest_first=False
    )
    return [
        (v.id, v.name if v.status == "active" else f"{v.name} ({v.status})")
        for v in page.items
    ]


def vendor_ids_named(*, name: str, limit: int = 20) -> list[str]:
    """Ids of the vendors called `name` exactly (any case): the audit trail's lookup."""
    key = name_key(name)
    if not key or len(key.encode()) > NAME_KEY_MAX_BYTES:
        return []
    return [
        vendor.id
        for vendor in Vendor.name_index.query(
            LISTING, Vendor.name_key == key, limit=limit
        )
    ]
