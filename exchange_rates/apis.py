"""The exchange rates API (/api/v1/exchange-rates): read only, any role."""

import datetime as dt
from decimal import Decimal

from ninja import Query, Router, Schema
from pydantic import Field

from accounts.roles import require_reader
from core.api_fields import refuse_unknown_filters
from exchange_rates.selectors import exchange_rate_list

router = Router(tags=["exchange rates"])


class ExchangeRateOut(Schema):
    id: str
    currency: str
    valid_from: dt.date
    base_currency: str
    rate: Decimal = Field(
        description="What 1 unit of `currency` is worth in `base_currency`."
    )
    source: str | None
    created_by: str
    created_at: dt.datetime


class ExchangeRatePage(Schema):
    items: list[ExchangeRateOut]
    next_cursor: str | None


class ExchangeRateListQuery(Schema):
    currency: str | None = Field(default=None, pattern="^[A-Z]{3}$")
    cursor: str | None = Field(default=None, max_length=4000)
    limit: int = Field(default=50, ge=1, le=100)


@router.get(
    "",
    response=ExchangeRatePage,
    summary="List exchange rates, latest valid-from first",
)
def list_exchange_rates(request, filters: Query[ExchangeRateListQuery]):
    # Approvers and requesters see the base amounts these rates give, so any
    # role may read the rates themselves; only the Admin enters them (the page).
    require_reader(request.auth)
    refuse_unknown_filters(request, ExchangeRateListQuery.model_fields)
    page = exchange_rate_list(**filters.model_dump())
    return {"items": page.items, "next_cursor": page.next_cursor}
