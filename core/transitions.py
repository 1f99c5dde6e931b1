"""
The one check of a life-cycle move, for every record with a transitions dict
(`PO_TRANSITIONS`, `INVOICE_TRANSITIONS`, `PAYMENT_RUN_TRANSITIONS`, ...).

The refusal names the states the record would have to be in, read from the
same dict, so the message can never disagree with the rule.
"""

from collections.abc import Collection, Mapping
from enum import StrEnum

from core.errors import InvalidTransition


def allowed_from(transitions: Mapping[StrEnum, Collection[StrEnum]], target) -> list:
    """The states from which `transitions` allows moving to `target`, in order."""
    return [state for state, targets in transitions.items() if target in targets]


def can_move(
    transitions: Mapping[StrEnum, Collection[StrEnum]], current, target
) -> bool:
    """Whether `transitions` allows moving from `current` to `target`."""
    return target in transitions.get(current, ())


def check_transition(
    transitions: Mapping[StrEnum, Collection[StrEnum]],
    *,
    current,
    target,
    name: str,
    kind: str,
    verb: str,
) -> None:
    """
    Refuse moving a record from `current` to `target` unless `transitions`
    allows it: "PO-2026-000001 is sent; only pending purchase orders can be
    approved." (`name` the record as a person names it, `kind` its kind in
    the plural, `verb` the past participle of the move).
    """
    if can_move(transitions, current, target):
        return
    states = [str(state) for state in allowed_from(transitions, target)]
    if not states:
        raise InvalidTransition(f"{name} is {current}; no {kind} can be {verb}.")
    either = (
        ", ".join(states[:-1]) + " or " + states[-1] if len(states) > 1 else states[0]
    )
    raise InvalidTransition(f"{name} is {current}; only {either} {kind} can be {verb}.")
