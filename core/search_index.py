"""
The terms under which the header's search finds a record: pure functions.

A record's words and number parts are folded the way a person types them
(case, accents, leading zeros), and search matches a typed word against the
start of each term, so `werkzeuge` finds "Müller Werkzeuge GmbH", `burobedarf`
finds "Bürobedarf", and `PO-2026-4`, `po 4`, `4` and `000004` all find
`PO-2026-000004`. Account numbers are kept only as keyed digests, matched
whole: search never stores or offers an account number's start.

Each record's terms are written as items of the search-token table in the
same transaction as the record (`core.writes.search_index_change`); a record
has at most `MAX_TERMS` terms plus `MAX_ACCOUNTS` digests, which bounds what
one write adds to its transaction.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.crypto import salted_hmac

# Per record: a vendor's tax id (two terms) and the first words of its name,
# a number's parts. A rename changes at most twice this many items.
MAX_TERMS = 12
MAX_ACCOUNTS = 2
# A longer term is kept by its start: nobody types 40 characters of one word.
MAX_TERM_LENGTH = 40
# The words of a query looked up (the rest of a long query is not searched).
MAX_QUERY_PARTS = 4

# Letters NFKD does not decompose, spelled as a person without them types them.
_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i"}
)
# German spells ä, ö and ü as ae, oe and ue when the keyboard lacks them.
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_WORD = re.compile(r"[^\W_]+")
_TRAILING_DIGITS = re.compile(r"(?<=[^\W\d_])\d+$")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_US_ACCOUNT = re.compile(r"^[0-9]{4,17}$")


@dataclass(frozen=True)
class SearchTerms:
    words: tuple[str, ...]  # found by their start
    accounts: tuple[str, ...] = ()  # digests, found whole


def fold(text: str) -> str:
    """Return `text` case-folded with its accents dropped (`Bürö` -> `buro`)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return kept.translate(_LETTERS)


def _number(part: str) -> str:
    """A run of digits without its leading zeros (`000004` -> `4`)."""
    return (part.lstrip("0") or "0") if part.isdigit() else part


def text_terms(text: str | None) -> list[str]:
    """
    Return the terms of a name or number: each word folded, a run of digits
    without leading zeros, the digits ending a word (`inv0042` -> `42`) and
    the German spelling of a word with an umlaut (`müller` -> `mueller`).
    """
    if not text:
        return []
    terms = []
    for word in _WORD.findall(text.casefold()):
        folded = _WORD.findall(fold(word))  # `ß` and ligatures may split or grow
        terms += [_number(part) for part in folded]
        if word.translate(_UMLAUTS) != word:
            terms += _WORD.findall(fold(word.translate(_UMLAUTS)))
        if digits := _TRAILING_DIGITS.search(word):
            terms.append(_number(digits[0]))
    return terms


def identifier_terms(value: str | None) -> list[str]:
    """
    Return the terms of an identifier such as a tax id: its compact form
    (`DE 123 456 789` -> `de123456789`) and, when it has letters, its digits.
    """
    if not value:
        return []
    compact = "".join(_WORD.findall(fold(value)))
    digits = "".join(c for c in compact if c.isdigit())
    return [compact, digits] if digits and digits != compact else [compact]


def account_digest(value: str | None) -> str | None:
    """
    Return the keyed digest search stores for an account number, or None.

    An IBAN or account number is spaced and cased in many ways; the digest
    is of its compact, upper-case form. Keyed by SECRET_KEY, so the token
    table cannot be reversed into account numbers by trying them all.
    """
    compact = re.sub(r"\s+", "", value or "").upper()
    if not compact:
        return None
    return salted_hmac("p2p.search.account", compact).hexdigest()[:32]


def search_terms(
    *, words: Iterable[str] = (), accounts: Iterable[str | None] = ()
) -> SearchTerms:
    """Return the record's distinct terms in the order given, capped."""
    kept: dict[str, None] = {}
    for word in words:
        if word and len(kept) < MAX_TERMS:
            kept.setdefault(word[:MAX_TERM_LENGTH])
    digests = dict.fromkeys(d for d in map(account_digest, accounts) if d)
    return SearchTerms(tuple(kept), tuple(digests)[:MAX_ACCOUNTS])


# --- Queries ------------------------------------------------------------------


def query_parts(text: str) -> list[str]:
    """
    Return the terms a query's words must each begin, as `text_terms` spells
    them; a run of zeros alone is the start of a number still being typed
    (`PO-2026-00`), so it asks nothing.
    """
    parts = []
    for word in _WORD.findall(fold(text)):
        part = _number(word)
        if part != "0" and part[:MAX_TERM_LENGTH] not in parts:
            parts.append(part[:MAX_TERM_LENGTH])
    return parts[:MAX_QUERY_PARTS]


def query_compact(text: str) -> str:
    """Return the query as one identifier (`DE 123 456 789` -> `de123456789`)."""
    return "".join(_WORD.findall(fold(text)))[:MAX_TERM_LENGTH]


def query_account(text: str) -> str | None:
    """Return the digest of the query when it has the shape of an account number."""
    compact = re.sub(r"\s+", "", text).upper()
    if _IBAN.match(compact) or _US_ACCOUNT.match(compact):
        return account_digest(compact)
    return None


def terms_match(terms: SearchTerms, parts: Iterable[str]) -> bool:
    """True if each part begins one of the terms."""
    return all(any(word.startswith(part) for word in terms.words) for part in parts)


def terms_exact(terms: SearchTerms, parts: Iterable[str]) -> bool:
    """True if each part is one of the terms."""
    return all(part in terms.words for part in parts)
