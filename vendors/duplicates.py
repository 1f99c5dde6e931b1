"""
When two vendor records are probably one vendor: pure rules, no I/O.

A tax id or VAT id another vendor has is refused (a second record for one
vendor is how an invoice gets paid twice, or to a changed account). A similar
name only warns: "Müller GmbH" and "Müller AG" may be two companies. Names
compare by their case-folded words without punctuation and without the words
naming a legal form (GmbH, Ltd, Inc, SA, AG, ...).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from vendors.models import name_key

# Words that name a company's legal form rather than the company, as they
# read once case-folded and stripped of dots ("S.A." -> "sa", "e.V." -> "ev").
LEGAL_FORM_WORDS = frozenset(
    """
    ag kg kgaa ohg gbr gmbh mbh ug ev eg se co
    sa sas sasu sarl eurl snc sci scs sca
    sl slu srl spa sapa snc sagl
    bv nv vof cv
    ab as asa aps oy oyj hf
    ltd limited plc llp lp llc lllp inc incorporated corp corporation company
    pty pte bhd sdn
    kft zrt nyrt sro as spzoo
    """.split()
)
# Words that join a legal form's words ("GmbH & Co. KG", "Smith and Co").
_JOINERS = frozenset({"&", "+", "und", "and", "et"})
_PUNCTUATION = ".,;:()[]'\"“”„«»/-"


def _word(token: str) -> str:
    return token.strip(_PUNCTUATION).replace(".", "")


def _is_legal_form(token: str) -> bool:
    word = _word(token)
    return word in LEGAL_FORM_WORDS or word in _JOINERS or not word


def likeness_key(name: str) -> str:
    """
    The form in which two vendor names compare: "Nordwind Bürobedarf GmbH"
    and "nordwind bürobedarf ag" are both "nordwind bürobedarf".
    """
    tokens = name_key(name).split()
    kept = [_word(token) for token in tokens if not _is_legal_form(token)]
    return " ".join(kept) or name_key(name)


def likeness_prefix(name: str) -> str:
    """
    The start of the name index (case-folded names) every similar name shares:
    the name's words before its first legal-form word ("cascade industrial
    supply" for "Cascade Industrial Supply, Inc."). A name index query from it
    finds the candidates; `likeness_key` decides which are similar.
    """
    tokens = name_key(name).split()
    leading = []
    for token in tokens:
        if _is_legal_form(token):
            break
        leading.append(token)
    prefix = " ".join(leading).rstrip(_PUNCTUATION + "&+ ")
    return prefix or likeness_key(name)


def similar_names(name: str, candidates: Iterable, *, exclude_id=None) -> list:
    """The candidates (records with `id` and `name`) whose name is like `name`."""
    wanted = likeness_key(name)
    return [
        candidate
        for candidate in candidates
        if candidate.id != exclude_id and likeness_key(candidate.name) == wanted
    ]


@dataclass(frozen=True)
class VendorLink:
    """Another vendor a warning names: enough to link to it."""

    id: str
    name: str


@dataclass(frozen=True)
class VendorWarning:
    """
    Something a clerk should look at that does not stop the save: `code` for
    programs, `message` for people, the `field` it concerns, and the other
    vendors it names (each linked on pages).
    """

    code: str
    field: str
    message: str
    vendors: tuple[VendorLink, ...] = field(default_factory=tuple)


SIMILAR_NAME = "SIMILAR_NAME"
BIC_NOT_IN_REGISTRY = "BIC_NOT_IN_REGISTRY"
IBAN_SHARED = "IBAN_SHARED"
IBAN_COMPANY_ACCOUNT = "IBAN_COMPANY_ACCOUNT"


def similar_name_warning(others: list) -> VendorWarning | None:
    """The warning for a vendor whose name is like these other vendors' names."""
    if not others:
        return None
    names = ", ".join(f"“{other.name}”" for other in others)
    verb = "has" if len(others) == 1 else "have"
    return VendorWarning(
        code=SIMILAR_NAME,
        field="name",
        message=(
            f"Vendor {names} {verb} a similar name: check this is not the same "
            "vendor entered twice."
        ),
        vendors=tuple(VendorLink(id=other.id, name=other.name) for other in others),
    )


_FIELD_NOUNS = {"tax_id": "tax id", "vat_id": "VAT id"}


def identity_refusals(
    collisions: dict[str, list[tuple[str, object]]], *, values: dict
) -> dict[str, str]:
    """
    The refusal beside each field whose tax id or VAT id other vendors hold
    (`collisions`: by field, the other vendor and the field of theirs), each
    naming them: a vendor is entered once.
    """
    errors = {}
    for name, others in collisions.items():
        value = values.get(name)
        named = []
        for their_field, other in others:
            named.append(
                f"Vendor “{other.name}” already has this {_FIELD_NOUNS[name]}"
                if their_field == name
                else f"Vendor “{other.name}” has {value} as its "
                f"{_FIELD_NOUNS[their_field]}"
            )
        errors[name] = (
            f"{'; '.join(named)} ({value}): a vendor is entered once, so edit "
            "that vendor instead of adding another."
        )
    return errors
