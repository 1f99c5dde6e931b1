"""
Stored items into models, fast: what PynamoDB's `Model.from_raw_data` does,
without its per-item overhead.

PynamoDB builds every typed list of maps by deep-copying the map class's
attributes once per list and sets each value through its descriptors; an
invoice read that way costs about 0.4 ms of CPU and a PO 0.7 ms, which was
most of the reconciliation job's own CPU per invoice (issue 19). Here each
class gets a plan once (per attribute: the stored name, the default, how to
decode the value) and an item becomes a model by filling the dictionary the
descriptors read (`attribute_values`, by Python name), exactly as PynamoDB
would leave it; `tests/core/test_item_loading.py` compares the two on
every model that uses it.

Only for classes without a discriminator (none of ours has one); the
models opt in by calling `item_load` from their `from_raw_data`.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from pynamodb.attributes import ListAttribute, MapAttribute
from pynamodb.constants import MAP, NULL

T = TypeVar("T")

# Per class: (python name, stored name, stored type, default, decode).
_Plan = list[tuple[str, str, str, Any, Callable[[Any], Any]]]
_PLANS: dict[type, _Plan] = {}


def item_load(cls: type[T], item: dict[str, dict[str, Any]]) -> T:
    """`cls` (a Model or a typed MapAttribute) holding the stored `item`."""
    plan = _PLANS.get(cls) or _plan(cls)
    values: dict[str, Any] = {}
    for name, stored, kind, default, decode in plan:
        value = item.get(stored)
        if value and NULL not in value:
            if kind not in value:
                # What PynamoDB raises for a value of another type.
                cls.get_attributes()[name].get_value(value)
            values[name] = decode(value[kind])
        elif default is not None:
            values[name] = default() if callable(default) else default
    record = cls.__new__(cls)
    if issubclass(cls, MapAttribute):
        # As MapAttribute.__init__ leaves an instance that holds values.
        record.__dict__["attribute_kwargs"] = {}
    record.__dict__["attribute_values"] = values
    return record


def _plan(cls: type) -> _Plan:
    if getattr(cls, "_discriminator", None):
        raise TypeError(f"{cls.__name__} has a discriminator: use from_raw_data")
    plan = [
        (name, attr.attr_name, attr.attr_type, attr.default, _decoder(attr))
        for name, attr in cls.get_attributes().items()
    ]
    _PLANS[cls] = plan
    return plan


def _decoder(attr) -> Callable[[Any], Any]:
    if isinstance(attr, MapAttribute) and not attr.is_raw():
        map_cls = type(attr)
        return lambda value: item_load(map_cls, value)
    if isinstance(attr, ListAttribute) and attr.element_type is not None:
        element = attr.element_type
        if issubclass(element, MapAttribute) and not element.is_raw():
            return lambda values: [
                None if NULL in value else item_load(element, value[MAP])
                for value in values
            ]
    return attr.deserialize


def map_with(record: T, **changes: Any) -> T:
    """
    A new typed map holding `record`'s every value with `changes` applied,
    as its class's constructor given every field would build it, without
    the constructor's walk through each attribute's descriptors (a PO's
    lines, rebuilt by every matched invoice).
    """
    cls = type(record)
    values = record.attribute_values
    copy = cls.__new__(cls)
    copy.__dict__["attribute_kwargs"] = {}
    copy.__dict__["attribute_values"] = {
        name: values.get(name) for name in cls.get_attributes()
    } | changes
    return copy
