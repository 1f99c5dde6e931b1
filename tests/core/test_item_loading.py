"""
core.item_loading reads a stored item into the same model PynamoDB's own
from_raw_data builds: every attribute filled, and an item holding only its
keys (the defaults), for each model that uses it.
"""

import datetime as dt
from decimal import Decimal

import pytest
from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model as PynamoDBModel

from core.dynamo import DecimalAttribute, IntegerAttribute
from core.item_loading import item_load, map_with
from invoicing.models import Invoice
from purchasing.models import PurchaseOrder

pytestmark = pytest.mark.backend_free

NOW = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)


def filled(cls, depth=0):
    """An instance of `cls` with every attribute set to a value of its type."""
    values = {}
    for name, attr in cls.get_attributes().items():
        values[name] = sample(attr, depth)
    return cls(**values)


def sample(attr, depth):
    if isinstance(attr, MapAttribute) and not attr.is_raw():
        return filled(type(attr), depth + 1)
    if isinstance(attr, ListAttribute):
        element = attr.element_type
        if element is not None and issubclass(element, MapAttribute):
            return [filled(element, depth + 1), filled(element, depth + 1)]
        return ["a", "b"]
    if isinstance(attr, DecimalAttribute):
        return Decimal("12.50")
    if isinstance(attr, IntegerAttribute | NumberAttribute):
        return 3
    if isinstance(attr, BooleanAttribute):
        return True
    if isinstance(attr, UTCDateTimeAttribute):
        return NOW
    if isinstance(attr, JSONAttribute):
        return {"a": [1, "b"]}
    if isinstance(attr, UnicodeSetAttribute):
        return {"a", "b"}
    return "text"


def plain(value):
    """A model or map as nested dicts, with the instance's own fields."""
    if isinstance(value, MapAttribute | PynamoDBModel):
        return {
            "__class__": type(value).__name__,
            "__dict__": sorted(value.__dict__),
            **{k: plain(v) for k, v in value.attribute_values.items()},
        }
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@pytest.mark.parametrize("model_cls", [Invoice, PurchaseOrder])
def test_a_full_item_loads_as_pynamodb_loads_it(model_cls):
    item = filled(model_cls).serialize()
    ours = item_load(model_cls, item)
    theirs = PynamoDBModel.from_raw_data.__func__(model_cls, item)
    assert plain(ours) == plain(theirs)
    assert ours.serialize() == item
    # Read back, a map of a list behaves as PynamoDB's own does.
    ours.items[0].description = "changed"
    assert ours.serialize()["items"]["L"][0]["M"]["description"] == {"S": "changed"}


@pytest.mark.parametrize("model_cls", [Invoice, PurchaseOrder])
def test_an_item_of_only_its_key_gets_the_defaults(model_cls):
    item = {"id": {"S": "only-a-key"}}
    ours = item_load(model_cls, item)
    theirs = PynamoDBModel.from_raw_data.__func__(model_cls, item)
    assert plain(ours) == plain(theirs)


def test_nulls_in_a_list_stay_none():
    item = filled(PurchaseOrder).serialize()
    item["items"]["L"].append({"NULL": True})
    ours = item_load(PurchaseOrder, item)
    theirs = PynamoDBModel.from_raw_data.__func__(PurchaseOrder, item)
    assert plain(ours) == plain(theirs)
    assert ours.items[-1] is None


def test_a_value_of_another_type_is_refused_as_pynamodb_refuses_it():
    item = filled(Invoice).serialize()
    item["currency"] = {"N": "3"}
    with pytest.raises(Exception) as ours:
        item_load(Invoice, item)
    with pytest.raises(Exception) as theirs:
        PynamoDBModel.from_raw_data.__func__(Invoice, item)
    assert type(ours.value) is type(theirs.value)


@pytest.mark.parametrize("coded", [True, False])
def test_a_po_line_with_changes_is_the_line_its_constructor_builds(coded):
    from purchasing.models import POLine

    fields = {
        "line_number": 2, "description": "Chairs", "quantity": Decimal("5"),
        "unit_price": Decimal("20.00"), "total_amount": Decimal("100.00"),
        "received_quantity": Decimal("1"), "invoiced_quantity": Decimal("0"),
        "tax_code": "S" if coded else None, "gl_account": "6000" if coded else None,
        "cost_centre": None,
    }  # fmt: skip
    lines = PurchaseOrder.items
    line = item_load(POLine, lines.serialize([POLine(**fields)])[0]["M"])
    changed = map_with(line, invoiced_quantity=Decimal("3"))
    built = POLine(**(fields | {"invoiced_quantity": Decimal("3")}))
    assert changed.attribute_values == built.attribute_values
    assert lines.serialize([changed]) == lines.serialize([built])
    assert line.invoiced_quantity == Decimal("0")  # the line read is left alone
