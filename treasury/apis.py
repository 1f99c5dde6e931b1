"""The company's bank accounts API (/api/v1/bank-accounts): read only; Admin changes them on the Treasury pages."""

from ninja import Router, Schema
from pydantic import Field

from accounts.roles import require_reader
from treasury.display import account_number_shown
from treasury.selectors import bank_account_list

router = Router(tags=["bank accounts"])


def _caller(context):
    request = context.get("request") if context else None
    return getattr(request, "auth", None)


class BankAccountOut(Schema):
    id: str
    name: str
    currency: str = Field(description="ISO 4217: the payments the account makes.")
    iban: str | None = Field(
        description="In full for Treasurers, Auditors and Admin, else its last four."
    )
    bic: str | None
    account_number: str | None = Field(
        description="A US account (no IBAN); shown as `iban` is."
    )
    routing_number: str | None = Field(description="The US account's ABA number.")
    street: str | None
    building_number: str | None
    address_line2: str | None
    postcode: str | None
    town: str | None
    country: str | None = Field(description="ISO 3166 alpha-2.")
    active: bool
    awaiting_confirmation: bool = Field(
        description="New or changed numbers a second Admin has not confirmed yet."
    )
    usable: bool = Field(description="Whether a payment run may pay from it now.")
    version: int

    @staticmethod
    def resolve_iban(obj, context):
        return account_number_shown(obj.iban, user=_caller(context))

    @staticmethod
    def resolve_account_number(obj, context):
        return account_number_shown(obj.account_number, user=_caller(context))


@router.get(
    "",
    response=list[BankAccountOut],
    summary="List the company's bank accounts (the accounts payment runs pay from)",
)
def list_bank_accounts(request):
    require_reader(request.auth)
    return bank_account_list()
