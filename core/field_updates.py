"""
A record's fields set (or removed) as DynamoDB's own Update operation,
without PynamoDB's update actions.

PynamoDB builds an update from action objects (a Path and a Value operand
per field, each walking the attribute's descriptors), which was a fifth of
the reconciliation job's own CPU (issue 19). `update_operation` writes the
same operation directly: the same expression, placeholders and attribute
values as `Model.get_update_kwargs_from_instance` with one `set` (or
`remove`, for None) per field and the version moved as PynamoDB moves it.
Conditions stay PynamoDB's, serialised into the same placeholders.
`tests/core/test_field_updates.py` (the services' changes) and
`tests/invoicing/test_reconcile_writes.py` (the job's) compare the two,
operation for operation.
"""

from collections.abc import Mapping
from typing import Any

from pynamodb.attributes import ListAttribute, MapAttribute, _get_class_for_serialize
from pynamodb.constants import ATTRIBUTE_TYPES, LIST, MAP
from pynamodb.exceptions import AttributeNullError
from pynamodb.models import Model

# A record's attributes by field name, per model: (DynamoDB name, attribute).
_FIELDS: dict[type, dict[str, tuple[str, Any]]] = {}


def _fields(model_cls) -> dict[str, tuple[str, Any]]:
    fields = _FIELDS.get(model_cls)
    if fields is None:
        fields = _FIELDS[model_cls] = {
            name: (attribute.attr_name, attribute)
            for name, attribute in model_cls.get_attributes().items()
        }
    return fields


def _key(record) -> dict[str, dict]:
    model_cls = type(record)
    hash_key, range_key = record._get_hash_range_key_serialized_values()
    key_attribute = model_cls._hash_key_attribute()
    key = {key_attribute.attr_name: {key_attribute.attr_type: hash_key}}
    if range_key is not None:
        key_attribute = model_cls._range_key_attribute()
        key[key_attribute.attr_name] = {key_attribute.attr_type: range_key}
    return key


# Per typed map class of scalar attributes (a PO's lines): per attribute, its
# name, stored name and type, how it is serialised and whether it may be None.
_MAP_PLANS: dict[type, list | None] = {}


def _scalar_plan(cls) -> list | None:
    """
    How a typed map (a PO's line) or a record of only scalar attributes
    without a version (an audit entry) is written; None where PynamoDB's
    own walk is kept.
    """
    if cls in _MAP_PLANS:
        return _MAP_PLANS[cls]
    plan = None
    is_map = isinstance(cls, type) and issubclass(cls, MapAttribute)
    if (
        isinstance(cls, type)
        and (is_map or issubclass(cls, Model))
        and not (is_map and cls.is_raw())
        and not getattr(cls, "_discriminator", None)
        and getattr(cls, "_version_attribute_name", None) is None
        and not any(
            isinstance(a, (ListAttribute, MapAttribute))
            for a in cls.get_attributes().values()
        )
    ):
        plan = [
            (name, a.attr_name, a.attr_type, a.serialize, a.null)
            for name, a in cls.get_attributes().items()
        ]
    _MAP_PLANS[cls] = plan
    return plan


def _map_value(plan: list, record, index: int) -> dict:
    """One typed map of a list as ListAttribute.serialize writes it."""
    if record is None:
        return {"NULL": True}
    return {MAP: _item(plan, record, f"[{index}]")}


def _item(plan: list, record, path: str | None = None) -> dict:
    values = record.attribute_values
    item = {}
    for name, stored, kind, serialize, null in plan:
        value = values.get(name)
        if value is not None:
            value = serialize(value)
        if value is None:
            if not null:
                error = AttributeNullError(name)
                if path is not None:
                    error.prepend_path(path)
                raise error
            continue
        item[stored] = {kind: value}
    return item


def attribute_value(attribute, value) -> dict:
    """`value` of `attribute` as DynamoDB's attribute value (as PynamoDB's Value)."""
    if isinstance(value, dict) and len(value) == 1:
        (kind,) = value
        if kind in ATTRIBUTE_TYPES:
            return value  # already serialised
    kind = attribute.attr_type
    if kind == LIST and isinstance(value, list):
        element = attribute.element_type
        plan = _scalar_plan(element)
        if plan is not None and all(
            line is None or type(line) is element for line in value
        ):
            return {
                LIST: [
                    _map_value(plan, line, index) for index, line in enumerate(value)
                ]
            }
    if kind == LIST and not isinstance(value, list):
        return attribute.serialize([value])[0]
    if kind == MAP and not isinstance(value, dict):
        by_type = _get_class_for_serialize(value)
        return {by_type.attr_type: by_type.serialize(value)}
    return {kind: attribute.serialize(value)}


def update_operation(
    record,
    fields: Mapping[str, Any],
    *,
    condition=None,
    add_version_condition: bool = True,
    move_version: bool = True,
) -> dict[str, Any]:
    """
    The Update of `record` (keyed as read) setting `fields` (None: removed),
    adding 1 to its version (setting 1 when it has none), conditioned on
    `condition` and, with `add_version_condition`, on its version as read.
    Without `move_version` the version is neither moved nor checked (an
    update of only an audit chain head, from a record's key alone: PynamoDB
    would set the version of such a record to 1).
    """
    model_cls = type(record)
    attributes = _fields(model_cls)
    version_name = model_cls._version_attribute_name if move_version else None
    version = getattr(record, version_name) if version_name else None
    if version_name is not None and add_version_condition:
        version_attribute = attributes[version_name][1]
        version_condition = (
            version_attribute == version
            if version is not None
            else version_attribute.does_not_exist()
        )
        condition = (
            version_condition if condition is None else condition & version_condition
        )
    operation = {"TableName": model_cls.Meta.table_name, "Key": _key(record)}
    names: dict[str, str] = {}  # DynamoDB name -> placeholder, as PynamoDB numbers them
    values: dict[str, dict] = {}
    if condition is not None:
        operation["ConditionExpression"] = condition.serialize(names, values)

    def name(field: str) -> str:
        placeholder = names.get(field)
        if placeholder is None:
            placeholder = names[field] = f"#{len(names)}"
        return placeholder

    def value(serialized: dict) -> str:
        placeholder = f":{len(values)}"
        values[placeholder] = serialized
        return placeholder

    sets, removes = [], []
    for field, new in fields.items():
        attr_name, attribute = attributes[field]
        if new is None:
            removes.append(attr_name)
        else:
            sets.append((attr_name, attribute_value(attribute, new)))
    clauses = []
    set_parts = [f"{name(n)} = {value(v)}" for n, v in sets]
    if version_name is not None and version is None:
        set_parts.append(f"{name(attributes[version_name][0])} = {value({'N': '1'})}")
    if set_parts:
        clauses.append("SET " + ", ".join(set_parts))
    if removes:
        clauses.append("REMOVE " + ", ".join(name(n) for n in removes))
    if version_name is not None and version is not None:
        clauses.append(f"ADD {name(attributes[version_name][0])} {value({'N': '1'})}")
    if clauses:
        operation["UpdateExpression"] = " ".join(clauses)
    if names:
        operation["ExpressionAttributeNames"] = {p: n for n, p in names.items()}
    if values:
        operation["ExpressionAttributeValues"] = values
    return operation


def put_operation(record, *, condition=None) -> dict[str, Any] | None:
    """
    The Put of `record` (a model of scalar attributes without a version: an
    audit entry) on `condition`, as `Model.get_save_kwargs_from_instance`
    builds it; None for a model whose items PynamoDB writes itself.
    """
    plan = _scalar_plan(type(record))
    if plan is None:
        return None
    operation = {"TableName": type(record).Meta.table_name, "Item": _item(plan, record)}
    if condition is not None:
        names: dict[str, str] = {}
        values: dict[str, dict] = {}
        operation["ConditionExpression"] = condition.serialize(names, values)
        if names:
            operation["ExpressionAttributeNames"] = {p: n for n, p in names.items()}
        if values:
            operation["ExpressionAttributeValues"] = values
    return operation
