"""
The vendors API (/api/v1/vendors), with the original field names.

A vendor's purchase orders (`/vendors/{id}/purchase-orders`) are served by
purchasing.apis.vendor_router, mounted at the same prefix.
"""

import datetime as dt
from typing import Literal

from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from accounts.roles import require_reader
from core.api_fields import WholeNumber, refuse_unknown_filters
from core.versions import version_from_request
from vendors import services
from vendors.bank_details import account_shown
from vendors.selectors import vendor_get_or_404, vendor_list, vendor_warnings

router = Router(tags=["vendors"])

StatusName = Literal["pending", "active", "inactive", "suspended"]


class BankAccountShown(Schema):
    """
    `iban` and `account_number` as the caller may see them (the one rule in
    vendors.bank_details): a schema with those fields inherits this.
    """

    @staticmethod
    def resolve_iban(obj, context):
        return account_shown(obj.iban, user=_caller(context))

    @staticmethod
    def resolve_account_number(obj, context):
        return account_shown(obj.account_number, user=_caller(context))


def _caller(context):
    request = context.get("request") if context else None
    return getattr(request, "auth", None)


class VendorOut(BankAccountShown):
    id: str
    name: str
    email: str
    phone: str | None
    address: str | None
    tax_id: str | None
    payment_terms: str
    status: str
    currency: str
    iban: str | None
    bic: str | None
    account_number: str | None
    routing_number: str | None
    bank_details_awaiting_confirmation: bool
    payment_hold: bool
    payment_hold_reason: str | None
    payment_hold_until: str | None
    vat_id: str | None = Field(description="The VAT id with its country prefix.")
    tax_country: str | None = Field(description="ISO 3166 alpha-2.")
    default_tax_code: str | None
    default_gl_account: str | None
    default_cost_centre: str | None
    street: str | None = None
    building_number: str | None = None
    address_line2: str | None = None
    postcode: str | None = None
    town: str | None = None
    country: str | None = Field(default=None, description="ISO 3166 alpha-2.")
    remittance_advice: bool = Field(
        description="Whether each payment is announced by a remittance advice "
        "e-mail when its run is exported."
    )
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_remittance_advice(obj):
        return obj.sends_remittance_advice


class VendorLinkOut(Schema):
    id: str
    name: str


class VendorWarningOut(Schema):
    code: Literal[
        "SIMILAR_NAME", "BIC_NOT_IN_REGISTRY", "IBAN_SHARED", "IBAN_COMPANY_ACCOUNT"
    ]
    field: str
    message: str
    vendors: list[VendorLinkOut] = Field(description="The other vendors it names.")


class VendorDetailOut(VendorOut):
    warnings: list[VendorWarningOut] = Field(
        default_factory=list,
        description="What to check that did not stop the save: a similar name, a "
        "BIC not in the bank registry, an IBAN another vendor or the company has.",
    )

    @staticmethod
    def resolve_warnings(obj):
        return vendor_warnings(vendor=obj)


class VendorPage(Schema):
    items: list[VendorOut]
    next_cursor: str | None


class VendorFields(Schema):
    model_config = ConfigDict(extra="forbid")

    phone: str | None = None
    address: str | None = None
    tax_id: str | None = None
    payment_terms: str | None = None
    status: StatusName | None = None
    currency: str | None = None
    iban: str | None = None
    bic: str | None = None
    account_number: str | None = None
    routing_number: str | None = None
    payment_hold: bool | None = None
    payment_hold_reason: str | None = None
    payment_hold_until: dt.date | None = None
    vat_id: str | None = Field(
        default=None,
        description="Checked by its country's check digits; stored compact "
        "with the prefix (DE136695976).",
    )
    tax_country: str | None = Field(
        default=None,
        description="ISO 3166 alpha-2; without one, the VAT id's country.",
    )
    default_tax_code: str | None = Field(
        default=None, description="An active tax code (GET /tax-codes)."
    )
    default_gl_account: str | None = Field(
        default=None, description="An active GL account (GET /gl-accounts)."
    )
    default_cost_centre: str | None = Field(
        default=None, description="An active cost centre (GET /cost-centres)."
    )
    street: str | None = Field(default=None, description="StrtNm.")
    building_number: str | None = Field(default=None, description="BldgNb.")
    address_line2: str | None = Field(
        default=None, description="Building, floor or c/o."
    )
    postcode: str | None = Field(default=None, description="PstCd.")
    town: str | None = Field(default=None, description="TwnNm; needs `country`.")
    country: str | None = Field(
        default=None, description="ISO 3166 alpha-2 (DE, FR, CH, US); needs `town`."
    )
    remittance_advice: bool | None = Field(
        default=None,
        description="Send remittance advice e-mails (default true).",
    )


class VendorCreateIn(VendorFields):
    name: str
    email: str


class VendorUpdateIn(VendorFields):
    name: str | None = None
    email: str | None = None
    version: WholeNumber | None = Field(
        default=None, description="The version you read; a changed record answers 409."
    )


class VendorListQuery(Schema):
    status: StatusName | None = None
    q: str | None = Field(default=None, max_length=200, description="Name starts with.")
    bank_details: Literal["awaiting", "awaiting_me"] | None = Field(
        default=None,
        description="`awaiting`: vendors whose bank details await a second "
        "user's confirmation, oldest change first; `awaiting_me`: those the "
        "caller may confirm (changed by someone else).",
    )
    cursor: str | None = Field(default=None, max_length=4000)
    limit: int = Field(default=50, ge=1, le=100)


@router.post("", response={201: VendorDetailOut}, summary="Create a vendor")
def create_vendor(request, payload: VendorCreateIn):
    fields = payload.model_dump(exclude_none=True)
    return Status(201, services.vendor_create(user=request.auth, fields=fields))


@router.get("", response=VendorPage, summary="List vendors, newest first")
def list_vendors(request, filters: Query[VendorListQuery]):
    require_reader(request.auth)
    refuse_unknown_filters(request, VendorListQuery.model_fields)
    page = vendor_list(
        status=filters.status,
        name_prefix=filters.q,
        bank_details_awaiting=filters.bank_details is not None,
        not_changed_by=(
            request.auth.get_username()
            if filters.bank_details == "awaiting_me"
            else None
        ),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/{vendor_id}", response=VendorDetailOut, summary="Get a vendor")
def get_vendor(request, vendor_id: str):
    require_reader(request.auth)
    return vendor_get_or_404(vendor_id=vendor_id)


@router.put("/{vendor_id}", response=VendorDetailOut, summary="Update a vendor")
def update_vendor(request, vendor_id: str, payload: VendorUpdateIn):
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version", None)
    for required in ("name", "email", "payment_terms", "status", "currency"):
        if required in changes and changes[required] is None:
            raise HttpError(422, f"'{required}' cannot be null.")
    return services.vendor_update(
        vendor_id=vendor_id,
        user=request.auth,
        changes=changes,
        version=version_from_request(request, version, required=False),
    )


@router.delete(
    "/{vendor_id}", response={204: None}, summary="Delete a vendor without POs"
)
def delete_vendor(request, vendor_id: str, version: WholeNumber | None = None):
    services.vendor_delete(
        vendor_id=vendor_id,
        user=request.auth,
        version=version_from_request(request, version, required=False),
    )
    return Status(204, None)
