"""Reads of the accounting codes, always by key or through the listing index."""

import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

from accounting.models import LISTING, CostCentre, GlAccount, TaxCode
from accounting.rules import KIND_LABELS
from core.errors import NotFound

MAX_CODES = 2000


def _get(model_cls, code):
    if not code:
        return None
    try:
        return model_cls.get(str(code), consistent_read=True)
    except model_cls.DoesNotExist:
        return None


# Within `code_lists_remembered`: {model: (read at, codes)}, and the seconds
# a list read is used for.
_remembered: ContextVar[dict | None] = ContextVar("code_lists", default=None)


@contextmanager
def code_lists_remembered(*, seconds: float = 60.0):
    """
    Within the block, read each list of codes at most once per `seconds`.

    For a batch job (`import_einvoices`): each document would otherwise read
    the tax codes, GL accounts and cost centres again (five queries of a
    list that changes a few times a year). A code an Admin deactivates
    during a run is still accepted for up to `seconds`.
    """
    token = _remembered.set({"seconds": seconds, "lock": threading.Lock()})
    try:
        yield
    finally:
        _remembered.reset(token)


def _query(model_cls) -> list:
    return list(model_cls.listing_index.query(LISTING, limit=MAX_CODES))


def _list(model_cls, *, active_only: bool) -> list:
    remembered = _remembered.get()
    if remembered is None:
        codes = _query(model_cls)
    else:
        # The batch's workers share the lists (each runs in a copy of the
        # block's context): the first to miss reads, the others wait for it.
        with remembered["lock"]:
            now = time.monotonic()
            read_at, codes = remembered.get(model_cls, (None, None))
            if read_at is None or now - read_at > remembered["seconds"]:
                codes = _query(model_cls)
                remembered[model_cls] = (now, codes)
    return [c for c in codes if c.active or not active_only]


def tax_code_get(*, code: str | None) -> TaxCode | None:
    return _get(TaxCode, code)


def gl_account_get(*, code: str | None) -> GlAccount | None:
    return _get(GlAccount, code)


def cost_centre_get(*, code: str | None) -> CostCentre | None:
    return _get(CostCentre, code)


def tax_code_list(*, active_only: bool = False) -> list[TaxCode]:
    """Every tax code in code order (the company keeps a handful)."""
    return _list(TaxCode, active_only=active_only)


def gl_account_list(*, active_only: bool = False) -> list[GlAccount]:
    return _list(GlAccount, active_only=active_only)


def cost_centre_list(*, active_only: bool = False) -> list[CostCentre]:
    return _list(CostCentre, active_only=active_only)


def tax_codes_by_code() -> dict[str, TaxCode]:
    """Every tax code by its code, for computing a document's tax in one read."""
    return {code.code: code for code in tax_code_list()}


_MODELS = {"tax_code": TaxCode, "gl_account": GlAccount, "cost_centre": CostCentre}


def accounting_code_get(*, kind: str, code: str | None):
    """The tax code, GL account or cost centre `code` (`kind` names which), or None."""
    return _get(_MODELS[kind], (code or "").strip().upper())


def accounting_code_list(*, kind: str, active_only: bool = False) -> list:
    """Every code of `kind` in code order."""
    return _list(_MODELS[kind], active_only=active_only)


def accounting_code_get_or_404(*, kind: str, code: str):
    record = accounting_code_get(kind=kind, code=code)
    if record is None:
        raise NotFound(f"{KIND_LABELS[kind]} {code} does not exist.")
    return record
