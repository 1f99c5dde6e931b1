"""
A document's tax, as EN 16931 computes it (pure, no I/O): per tax code, the
sum of the line nets x the rate, rounded half up once per code (BR-CO-17),
and the checks of what the vendor printed against it.

Worked example (EUR; V19 = 19%, V7 = 7%):
    lines 100.00 V19, 33.33 V19, 10.00 V7
    V19: base 133.33, tax 133.33 x 19% = 25.3327 -> 25.33
    V7:  base  10.00, tax  10.00 x  7% =  0.70
    tax 26.03, gross 169.36
(per line it would have been 19.00 + 6.33 + 0.70 = 26.03 here, but 3 x 33.33
at 19% is 18.9981 -> 19.00 once, not 3 x 6.33 = 18.99.)

Self-assessed codes (reverse charge, intra-community acquisition) charge no
tax on the document: their tax is 0.00 and the buyer posts base x rate as
both input and output VAT (`self_assessed_amount`).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from accounting.models import NO_TAX_CHARGED, SELF_ASSESSED, VatCategory
from core.money import round_money

ZERO = Decimal("0")
HUNDRED = Decimal("100")

TAX_VARIANCE = "TAX_VARIANCE"
TAX_CATEGORY_MISMATCH = "TAX_CATEGORY_MISMATCH"


@dataclass(frozen=True)
class TaxRate:
    """What a tax code means for the computation."""

    code: str
    rate: Decimal  # percent
    category: str  # VatCategory value

    @property
    def charged(self) -> bool:
        """Whether the vendor charges this tax on the document."""
        return VatCategory(self.category) not in NO_TAX_CHARGED


@dataclass(frozen=True)
class TaxLine:
    tax_code: str
    rate: Decimal
    category: str
    base: Decimal
    amount: Decimal  # computed tax charged on the document
    printed: Decimal | None = None  # what the vendor's document says


@dataclass(frozen=True)
class TaxFinding:
    code: str  # TAX_VARIANCE | TAX_CATEGORY_MISMATCH
    tax_code: str
    expected: Decimal
    actual: Decimal
    message: str


def tax_lines(
    lines: Iterable[tuple[str, Decimal]],
    rates: Mapping[str, TaxRate],
    currency: str,
    *,
    printed: Mapping[str, Decimal] | None = None,
) -> list[TaxLine]:
    """
    Return one TaxLine per tax code of `lines` ((tax code, net) pairs), in
    the order the codes first appear. Every code must be in `rates`.
    """
    bases: dict[str, Decimal] = {}
    for code, net in lines:
        bases[code] = bases.get(code, ZERO) + net
    printed = printed or {}
    result = []
    for code, base in bases.items():
        rate = rates[code]
        amount = (
            round_money(base * rate.rate / HUNDRED, currency)
            if rate.charged
            else round_money(ZERO, currency)
        )
        result.append(
            TaxLine(
                tax_code=code,
                rate=rate.rate,
                category=rate.category,
                base=round_money(base, currency),
                amount=amount,
                printed=printed.get(code),
            )
        )
    return result


def tax_total(lines: Iterable[TaxLine], *, printed: bool = False) -> Decimal:
    """The tax of the document: computed, or as printed where printed."""
    total = ZERO
    for line in lines:
        value = line.printed if printed and line.printed is not None else line.amount
        total += value
    return total


def self_assessed_amount(line: TaxLine, currency: str) -> Decimal:
    """The tax the buyer owes itself on a reverse-charge code (0 for others)."""
    if VatCategory(line.category) not in SELF_ASSESSED:
        return round_money(ZERO, currency)
    return round_money(line.base * line.rate / HUNDRED, currency)


def tax_findings(lines: Iterable[TaxLine], *, tolerance: Decimal) -> list[TaxFinding]:
    """
    Check what the vendor printed per code: tax charged on a code that
    charges none is TAX_CATEGORY_MISMATCH; printed tax further than
    `tolerance` from the computed is TAX_VARIANCE. Codes with nothing printed
    are not checked.
    """
    findings = []
    for line in lines:
        if line.printed is None:
            continue
        if VatCategory(line.category) in NO_TAX_CHARGED:
            if line.printed != ZERO:
                findings.append(
                    TaxFinding(
                        code=TAX_CATEGORY_MISMATCH,
                        tax_code=line.tax_code,
                        expected=ZERO,
                        actual=line.printed,
                        message=(
                            f"{line.tax_code} ({VatCategory(line.category).name.replace('_', ' ').lower()}) "
                            f"carries no tax, but {line.printed} is charged on it."
                        ),
                    )
                )
            continue
        if abs(line.printed - line.amount) > tolerance:
            findings.append(
                TaxFinding(
                    code=TAX_VARIANCE,
                    tax_code=line.tax_code,
                    expected=line.amount,
                    actual=line.printed,
                    message=(
                        f"Tax {line.tax_code}: printed {line.printed}, computed "
                        f"{line.amount} ({line.rate}% of {line.base})."
                    ),
                )
            )
    return findings
