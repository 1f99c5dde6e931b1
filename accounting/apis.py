"""The accounting codes API (/api/v1/tax-codes, /gl-accounts, /cost-centres): read only."""

from decimal import Decimal

from ninja import Query, Router, Schema
from pydantic import Field

from accounting.selectors import accounting_code_list
from accounts.roles import require_reader
from core.api_fields import refuse_unknown_filters

router = Router(tags=["accounting codes"])


class CodeOut(Schema):
    code: str
    name: str
    active: bool


class TaxCodeOut(CodeOut):
    rate: Decimal = Field(description='Percent, exact, as a string: "19", "8.875".')
    category: str = Field(description="EN 16931 VAT category: S, Z, E, AE, K, G or O.")
    gl_account: str | None = Field(description="The input VAT account.")
    reverse_charge_account: str | None = Field(
        description="Self-assessed codes: the output VAT account."
    )


class CodeListQuery(Schema):
    active: bool | None = Field(
        default=None, description="`true`: only the codes new documents may use."
    )


def _codes(request, kind: str, filters: CodeListQuery) -> list:
    require_reader(request.auth)
    refuse_unknown_filters(request, CodeListQuery.model_fields)
    codes = accounting_code_list(kind=kind)
    if filters.active is not None:
        codes = [code for code in codes if code.active == filters.active]
    return codes


@router.get("/tax-codes", response=list[TaxCodeOut], summary="List the tax codes")
def list_tax_codes(request, filters: Query[CodeListQuery]):
    return _codes(request, "tax_code", filters)


@router.get("/gl-accounts", response=list[CodeOut], summary="List the GL accounts")
def list_gl_accounts(request, filters: Query[CodeListQuery]):
    return _codes(request, "gl_account", filters)


@router.get("/cost-centres", response=list[CodeOut], summary="List the cost centres")
def list_cost_centres(request, filters: Query[CodeListQuery]):
    return _codes(request, "cost_centre", filters)
