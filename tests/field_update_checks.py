"""
Checking the writes built without PynamoDB's update actions
(core.field_updates) against PynamoDB's own: the `compared` fixture wraps
`update_operation` and `put_operation` so that every Update and Put a
transaction builds during the test is compared, operation for operation,
with what PynamoDB builds from the same record and fields.
"""

import pytest

import core.dynamo
from core import field_updates


def pynamodb_update(record, fields, *, condition=None, add_version_condition=True):
    """The same Update as PynamoDB's own actions build it."""
    model_cls = type(record)
    actions = [
        getattr(model_cls, name).remove()
        if value is None
        else getattr(model_cls, name).set(value)
        for name, value in fields.items()
    ]
    return record.get_update_kwargs_from_instance(
        actions=actions,
        condition=condition,
        add_version_condition=add_version_condition,
    )


@pytest.fixture
def compared(monkeypatch):
    """Every Update and Put the transactions build, checked; counted by model."""
    built: dict[str, int] = {}

    def checked(record, fields, *, move_version=True, **kwargs):
        ours = field_updates.update_operation(
            record, fields, move_version=move_version, **kwargs
        )
        # A head moved alone keeps the version, where PynamoDB would set it to 1
        # (tests/audit/test_heads_on_records.py).
        if move_version:
            assert ours == pynamodb_update(record, fields, **kwargs)
        built[type(record).__name__] = built.get(type(record).__name__, 0) + 1
        return ours

    def put_checked(record, *, condition=None):
        ours = field_updates.put_operation(record, condition=condition)
        if ours is not None:
            theirs = record.get_save_kwargs_from_instance(condition=condition)
            theirs.pop("ReturnValuesOnConditionCheckFailure", None)
            assert ours == theirs
            name = f"put {type(record).__name__}"
            built[name] = built.get(name, 0) + 1
        return ours

    monkeypatch.setattr(core.dynamo, "update_operation", checked)
    monkeypatch.setattr(core.dynamo, "put_operation", put_checked)
    return built
