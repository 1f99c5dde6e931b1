"""
Invoice numbers compared as a person would (domain.md "Duplicate invoices").

`INV-0042`, `inv 42` and `INV/42` are one number: Unicode NFKC, case-folded,
spaces, dashes, dots, slashes and invisible characters removed, leading zeros
of every run of digits dropped.
"""

import re
import unicodedata

_SEPARATORS = {" ", ".", "/", "\\", "_"}
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")


def normalise_invoice_number(number: str) -> str:
    """Return the form two invoice numbers are compared in."""
    text = unicodedata.normalize("NFKC", number).casefold()
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in _SEPARATORS or category in ("Pd", "Zs", "Cf", "Cc"):
            continue  # Pd: dashes of every kind; Zs: spaces; Cf/Cc: invisible
        kept.append(char)
    return _LEADING_ZEROS.sub("", "".join(kept))
