"""
Business days of the settlement calendars payments execute on (issue 17), pure.

A credit transfer executes on a day its currency's interbank system
settles. The holidays come from the `holidays` library, never a list
written here:

- EUR: TARGET2 (`holidays.financial_holidays("XECB")`), closed on New
  Year's Day, Good Friday, Easter Monday, 1 May and 25-26 December.
- USD: the Federal Reserve (`financial_holidays("XFED")`), the calendar
  Fedwire and the ACH settle on.
- GBP: the bank holidays of England and Wales
  (`country_holidays("GB", subdiv="ENG")`), the days CHAPS and Bacs do not
  settle. The library's London Stock Exchange calendar (XLON) is an
  exchange's, not a payment system's, so it is not used.
- Every other currency: weekends only. The library's calendars for them
  are stock exchanges' (SIX for CHF, JPX for JPY...), which close on days
  their payment systems settle and the other way round; a wrong holiday
  would refuse a good date, so none is guessed.

Plain dates in, plain values out.
"""

import datetime as dt
import functools
from collections.abc import Iterable

import holidays

# Per currency: the calendar's name in messages and how to load it.
_CALENDARS = {
    "EUR": ("TARGET2", lambda years: holidays.financial_holidays("XECB", years=years)),
    "USD": (
        "Federal Reserve",
        lambda years: holidays.financial_holidays("XFED", years=years),
    ),
    "GBP": (
        "Bank of England",
        lambda years: holidays.country_holidays("GB", subdiv="ENG", years=years),
    ),
}

# No settlement calendar is closed for longer than this; a search for the next
# business day that runs past it has a calendar that is wrong, not a holiday.
_LONGEST_CLOSURE = 30


def calendar_name(currency: str | None) -> str | None:
    """The settlement calendar of `currency` ("TARGET2"), None for weekends only."""
    entry = _CALENDARS.get((currency or "").upper())
    return entry[0] if entry else None


@functools.cache
def _holidays(currency: str, year: int) -> dict[dt.date, str]:
    entry = _CALENDARS.get(currency)
    if entry is None:
        return {}
    return dict(entry[1](years=year))


def non_business_reason(day: dt.date, currency: str | None) -> str | None:
    """
    Why `day` is no business day for payments in `currency` ("Saturday",
    "Christmas Day (TARGET2 holiday)"), None when it is one.
    """
    if day.weekday() >= 5:
        return day.strftime("%A")
    code = (currency or "").upper()
    holiday = _holidays(code, day.year).get(day)
    if holiday:
        return f"{holiday} ({calendar_name(code)} holiday)"
    return None


def is_business_day(day: dt.date, currency: str | None) -> bool:
    return non_business_reason(day, currency) is None


def next_business_day(day: dt.date, currency: str | None) -> dt.date:
    """The first business day of `currency` after `day`."""
    return next_common_business_day(day, [currency])


def next_common_business_day(day: dt.date, currencies: Iterable[str | None]) -> dt.date:
    """The first day after `day` that is a business day for every currency."""
    codes = list(currencies) or [None]
    for offset in range(1, _LONGEST_CLOSURE + 1):
        candidate = day + dt.timedelta(days=offset)
        if all(is_business_day(candidate, code) for code in codes):
            return candidate
    raise ValueError(f"No business day within {_LONGEST_CLOSURE} days after {day}.")


def payment_date_refusal(
    day: dt.date, currencies: Iterable[str | None]
) -> tuple[str, dt.date] | None:
    """
    Why a run paying `currencies` cannot execute on `day`, and the next day
    it can; None when every currency settles on `day`. Only weekends are
    checked when no currency is named.
    """
    codes = sorted({(c or "").upper() for c in currencies if c}) or [None]
    for code in codes:
        reason = non_business_reason(day, code)
        if reason is None:
            continue
        following = next_common_business_day(day, codes)
        if day.weekday() >= 5:
            calendar = calendar_name(code)
            where = f"{code} payments" if code else "payments"
            where += f" ({calendar})" if calendar else ""
            why = f"a {reason}, not a business day for {where}"
        else:  # a holiday's reason names its calendar already
            why = f"{reason}, not a business day for {code} payments"
        message = (
            f"{day.isoformat()} is {why}; the next business day is "
            f"{following:%A} {following.isoformat()}."
        )
        return message, following
    return None
