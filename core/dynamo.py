"""
DynamoDB wiring: the base Meta every model uses, the model registry, table
creation, write transactions, Decimal attributes and pagination cursors.

Models subclass `dynamo.Model`, declare `Meta = dynamo.table_meta("VendorsTable")`
and are decorated with `@dynamo.register`; `configure_models()` points every
registered model at the endpoint, region and table prefix in settings.

Every request, a read as much as a write, that finds DynamoDB out of reach
(or throttling) raises `ServiceUnavailable` here, once: pages answer 503,
commands stop with one line, and no caller catches PynamoDB's errors.
"""

import datetime as dt
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ReadTimeoutError,
)
from django.conf import settings
from django.core import signing
from django.utils import timezone
from pynamodb.attributes import Attribute
from pynamodb.connection import Connection
from pynamodb.connection.table import TableConnection
from pynamodb.constants import NUMBER, PAY_PER_REQUEST_BILLING_MODE
from pynamodb.exceptions import (
    PynamoDBException,
    TableError,
    TransactWriteError,
    VerboseClientError,
)
from pynamodb.models import Model as PynamoDBModel
from pynamodb.transactions import TransactWrite

from core import transport
from core.errors import (
    ApplicationError,
    InvalidCursor,
    ServiceUnavailable,
    StaleRecord,
    ValidationFailed,
)
from core.field_updates import put_operation, update_operation
from core.wire import fast_values_install

_transaction_connection: Connection | None = None

# --- Errors ---------------------------------------------------------------

UNREACHABLE_MESSAGE = "The database could not be reached; try again in a moment."
# HTTPClientError is botocore's base of every failure below HTTP (a reset
# connection, a dropped answer, a time-out): DynamoDB killed mid-request
# shows as any of them.
_UNREACHABLE = (
    EndpointConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
    ConnectionClosedError,
    HTTPClientError,
)
_CONFLICT_CODES = {"ConditionalCheckFailed", "TransactionConflict"}
# Answers meaning "not now" (throttled, or the service failing: a 500 or 503
# after botocore's retries), never "this request is wrong".
_THROTTLED = {
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "TransactionInProgressException",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
}


def is_unreachable(exc: BaseException) -> bool:
    """True if `exc` (or what caused it) means DynamoDB could not be reached."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (*_UNREACHABLE, ServiceUnavailable)):
            return True
        seen.add(id(exc))
        exc = getattr(exc, "cause", None) or exc.__cause__ or exc.__context__
    return False


# botocore clients by what they were built with, shared by every connection
# and thread (a client is thread-safe; building one is not, and costs some
# 40 ms of CPU loading the service model). PynamoDB builds one per table's
# connection, on a session of each thread's own; the job's time-outs
# (job_timeouts) built them all again on every run, a Lambda invocation's
# largest fixed cost (issue 19).
_CLIENTS: dict[tuple, Any] = {}
_CLIENTS_LOCK = threading.Lock()


def _usable(client) -> bool:
    # PynamoDB's own test: a client that cached empty credentials (the
    # instance metadata service failing once) is built again.
    return client is not None and not (
        client._request_signer and not client._request_signer._credentials
    )


class _GuardedConnection(Connection):
    """
    PynamoDB's connection, whose every request out of reach raises
    ServiceUnavailable, whose client sends its requests itself
    (core.transport) and reads and writes attribute values without
    botocore's per-value walk (core.wire), and is shared by every
    connection built with the same settings.
    """

    @property
    def client(self):
        if _usable(self._client):
            return self._client
        key = (
            self.host,
            self.region,
            self._connect_timeout_seconds,
            self._read_timeout_seconds,
            self._max_retry_attempts_exception,
            self._max_pool_connections,
            str(self._retry_configuration),
            self._aws_access_key_id,
            self._aws_secret_access_key,
            self._aws_session_token,
        )
        with _CLIENTS_LOCK:
            client = _CLIENTS.get(key)
            if not _usable(client):
                self._client = None
                client = super().client
                fast_values_install(client)
                transport.install(client, twin=self._twin)
                _CLIENTS[key] = client
            self._client = client
        return client

    def _twin(self, attempts: int):
        """A botocore client as this connection's, making `attempts` in all."""
        twin = Connection(
            region=self.region, host=self.host,
            connect_timeout_seconds=self._connect_timeout_seconds,
            read_timeout_seconds=self._read_timeout_seconds,
            max_retry_attempts=attempts - 1,
            max_pool_connections=self._max_pool_connections,
            aws_access_key_id=self._aws_access_key_id,
            aws_secret_access_key=self._aws_secret_access_key,
            aws_session_token=self._aws_session_token,
        )  # fmt: skip
        fast_values_install(twin.client)
        return twin.client

    def _make_api_call(self, operation_name: str, operation_kwargs: dict) -> dict:
        try:
            return super()._make_api_call(operation_name, operation_kwargs)
        except _UNREACHABLE as exc:
            raise ServiceUnavailable(UNREACHABLE_MESSAGE) from exc
        except VerboseClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _THROTTLED:
                raise ServiceUnavailable(UNREACHABLE_MESSAGE) from exc
            raise


class Model(PynamoDBModel):
    """The base of every record: a PynamoDB model on the guarded connection."""

    @classmethod
    def _get_connection(cls) -> TableConnection:
        table = super()._get_connection()
        # PynamoDB builds the table's Connection itself; this subclass only
        # overrides how a request's errors are raised, and holds no state.
        if type(table.connection) is Connection:
            table.connection.__class__ = _GuardedConnection
        return table


M = TypeVar("M", bound=Model)

_REGISTRY: list[type[Model]] = []


def table_meta(base_name: str) -> type:
    """Return a PynamoDB Meta class for the table `base_name` (before prefixing)."""

    class Meta:
        table_name = settings.DYNAMODB_TABLE_PREFIX + base_name
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    Meta.base_table_name = base_name
    _apply_settings(Meta)
    return Meta


def register(model_cls: type[M]) -> type[M]:
    """Add a model to the registry used for table creation and tests."""
    if model_cls not in _REGISTRY:
        _REGISTRY.append(model_cls)
    return model_cls


def registered_models() -> list[type[Model]]:
    return list(_REGISTRY)


_VIEWS: list[type[Model]] = []


def register_view(model_cls: type[M]) -> type[M]:
    """
    Register a second model over an existing table (a narrower view of its items).

    Views are configured like models but never create or empty a table.
    """
    if model_cls not in _VIEWS:
        _VIEWS.append(model_cls)
    return model_cls


# --- Time-outs ------------------------------------------------------------


@dataclass(frozen=True)
class Patience:
    """How long a request waits for DynamoDB: per attempt, and how many retries."""

    connect_seconds: float
    read_seconds: float
    retries: int


_for_jobs = False


def patience() -> Patience:
    """
    The time-outs in force: a web request's (DYNAMODB_*), or within
    `job_timeouts` the longer ones of commands and the job (DYNAMODB_JOB_*).
    """
    prefix = "DYNAMODB_JOB_" if _for_jobs else "DYNAMODB_"
    return Patience(
        connect_seconds=getattr(settings, f"{prefix}CONNECT_TIMEOUT_SECONDS"),
        read_seconds=getattr(settings, f"{prefix}READ_TIMEOUT_SECONDS"),
        retries=getattr(settings, f"{prefix}MAX_RETRY_ATTEMPTS"),
    )


@contextmanager
def job_timeouts() -> Iterator[None]:
    """Run the block (a command, the job) with the job's time-outs, then go back."""
    global _for_jobs
    previous, _for_jobs = _for_jobs, True
    configure_models()
    try:
        yield
    finally:
        _for_jobs = previous
        configure_models()


def _apply_settings(meta: type) -> None:
    meta.table_name = settings.DYNAMODB_TABLE_PREFIX + meta.base_table_name
    meta.host = settings.DYNAMODB_ENDPOINT_URL
    meta.region = settings.AWS_REGION
    waits = patience()
    meta.connect_timeout_seconds = waits.connect_seconds
    meta.read_timeout_seconds = waits.read_seconds
    meta.max_retry_attempts = waits.retries
    key_id, secret = _credentials()
    meta.aws_access_key_id = key_id
    meta.aws_secret_access_key = secret


def _credentials() -> tuple[str | None, str | None]:
    # DynamoDB Local wants some credentials but ignores their value; real AWS
    # gets them from the default chain (environment, instance role, ...).
    if settings.AWS_ACCESS_KEY_ID and settings.AWS_SECRET_ACCESS_KEY:
        return settings.AWS_ACCESS_KEY_ID, settings.AWS_SECRET_ACCESS_KEY
    if settings.DYNAMODB_ENDPOINT_URL:
        return "local", "local"
    return None, None


_configured_for: tuple | None = None


def configure_models() -> None:
    """Point every registered model (and transactions) at the configured DynamoDB."""
    global _transaction_connection, _configured_for
    fingerprint = (
        settings.DYNAMODB_ENDPOINT_URL,
        settings.AWS_REGION,
        settings.DYNAMODB_TABLE_PREFIX,
        _credentials(),
        patience(),
        len(_REGISTRY),
    )
    if fingerprint == _configured_for:
        return  # building botocore clients again is slow; nothing changed
    _configured_for = fingerprint
    for model_cls in _REGISTRY + _VIEWS:
        _apply_settings(model_cls.Meta)
        model_cls._connection = None
    _transaction_connection = None


def connection() -> Connection:
    """Return the connection used for transactions, built from settings."""
    global _transaction_connection
    if _transaction_connection is None:
        key_id, secret = _credentials()
        waits = patience()
        _transaction_connection = _GuardedConnection(
            region=settings.AWS_REGION,
            host=settings.DYNAMODB_ENDPOINT_URL,
            connect_timeout_seconds=waits.connect_seconds,
            read_timeout_seconds=waits.read_seconds,
            max_retry_attempts=waits.retries,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
        )
    return _transaction_connection


def boto3_client(*, fail_fast: bool = False):
    """Return a boto3 DynamoDB client for the configured endpoint."""
    key_id, secret = _credentials()
    waits = Patience(1, 2, 0) if fail_fast else patience()
    config = Config(
        connect_timeout=waits.connect_seconds,
        read_timeout=waits.read_seconds,
        retries={"total_max_attempts": 1 + waits.retries, "mode": "standard"},
    )
    return boto3.client(
        "dynamodb",
        region_name=settings.AWS_REGION,
        endpoint_url=settings.DYNAMODB_ENDPOINT_URL,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=config,
    )


# --- Table creation -------------------------------------------------------


def create_tables(*, log=lambda message: None) -> None:
    """
    Create every registered table and any missing index; idempotent.

    DynamoDB out of reach raises ServiceUnavailable; a refusal (a table
    being deleted, a permission missing) raises ApplicationError saying so.
    """
    try:
        _create_tables(log)
    except (BotoCoreError, ClientError, PynamoDBException) as exc:
        if is_unreachable(exc):
            raise ServiceUnavailable(UNREACHABLE_MESSAGE) from exc
        raise ApplicationError(f"Table creation failed: {exc}") from exc


def _create_tables(log) -> None:
    for model_cls in _REGISTRY:
        name = model_cls.Meta.table_name
        if not model_cls.exists():
            _create_table(model_cls)
            log(f"created table {name}")
            continue
        added = _add_missing_indexes(model_cls)
        for index_name in added:
            log(f"added index {index_name} to {name}")
        if not added:
            log(f"table {name} exists")


def _create_table(model_cls: type[Model]) -> None:
    try:
        model_cls.create_table(wait=True)
    except TableError as exc:
        # On a slow answer botocore retries CreateTable, and the retry finds
        # the table its first attempt made: created all the same.
        if exc.cause_response_code != "ResourceInUseException":
            raise
        boto3_client().get_waiter("table_exists").wait(
            TableName=model_cls.Meta.table_name
        )


def _add_missing_indexes(model_cls: type[Model]) -> list[str]:
    client = boto3_client()
    name = model_cls.Meta.table_name
    existing = {
        index["IndexName"]
        for index in client.describe_table(TableName=name)["Table"].get(
            "GlobalSecondaryIndexes", []
        )
    }
    schema = model_cls._get_schema()
    wanted = [
        index
        for index in schema["global_secondary_indexes"]
        if index["index_name"] not in existing
    ]
    added = []
    for index in wanted:
        # DynamoDB allows one index creation per UpdateTable call.
        client.update_table(
            TableName=name,
            AttributeDefinitions=index["attribute_definitions"],
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": index["index_name"],
                        "KeySchema": sorted(
                            index["key_schema"],
                            key=lambda key: key["KeyType"] != "HASH",
                        ),
                        "Projection": index["projection"],
                    }
                }
            ],
        )
        wait_for_index(client, name, index["index_name"], status="ACTIVE")
        added.append(index["index_name"])
    return added


def wait_for_index(client, table: str, index_name: str, *, status: str | None) -> None:
    """Wait until the index has `status`, or is gone when `status` is None."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        indexes = client.describe_table(TableName=table)["Table"].get(
            "GlobalSecondaryIndexes", []
        )
        current = {i["IndexName"]: i.get("IndexStatus") for i in indexes}.get(
            index_name
        )
        if current == status:
            return
        time.sleep(0.5)
    raise TimeoutError(f"index {index_name} of {table} did not become {status}")


def delete_tables() -> None:
    """Delete every registered table (tests and local resets only)."""
    for model_cls in _REGISTRY:
        if model_cls.exists():
            model_cls.delete_table()


# --- Attributes -----------------------------------------------------------


class DecimalAttribute(Attribute[Decimal]):
    """A DynamoDB number read and written as an exact `Decimal`, never a float."""

    attr_type = NUMBER

    def serialize(self, value: Decimal) -> str:
        if not isinstance(value, Decimal):
            raise TypeError(
                f"DecimalAttribute needs a Decimal, got {type(value).__name__}"
            )
        if not value.is_finite():
            raise ValueError("DecimalAttribute cannot store NaN or infinity")
        return str(value)

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


class IntegerAttribute(Attribute[int]):
    """A DynamoDB number that is a whole count (line numbers, counters): never money."""

    attr_type = NUMBER

    def serialize(self, value: int) -> str:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(
                f"IntegerAttribute needs an int, got {type(value).__name__}"
            )
        return str(value)

    def deserialize(self, value: str) -> int:
        return int(value)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- Transactions ---------------------------------------------------------


# Models whose items carry their own audit chain head (`audit_length`,
# `audit_hash`), by the audit trail's entity type: the journal moves the head
# inside the record's own write (audit.entries).
_HEAD_ON_RECORD: dict[str, type] = {}


def chain_head_on_record(entity_type: str):
    """Class decorator: items of this model carry their audit chain head."""

    def register(model_cls):
        _HEAD_ON_RECORD[entity_type] = model_cls
        return model_cls

    return register


def head_on_record_model(entity_type: str):
    """The model whose items carry the chain head of `entity_type`, or None."""
    return _HEAD_ON_RECORD.get(entity_type)


def head_on_record_kind(model_cls) -> str | None:
    """The entity type whose chain head items of `model_cls` carry, or None."""
    return next((k for k, m in _HEAD_ON_RECORD.items() if m is model_cls), None)


class RecordTransactWrite(TransactWrite):
    """
    A TransactWrite that holds back the writes of records carrying their
    audit chain head until it commits, so that the journal can fold the
    head's move into the record's own write (one item, not two), whichever
    of the two was added first. Each of `finalizers` (the journal registers
    one) is called with the transaction before it is sent; `after_commit`
    callbacks run once it has committed.
    """

    finalizers: list = []

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.held: dict[tuple[str, Any], list] = {}
        self.after_commit: list = []

    def _hold(self, model, kind, **kwargs) -> bool:
        if type(model) not in _HEAD_ON_RECORD.values():
            return False
        key = (model.Meta.table_name, model._get_hash_range_key_serialized_values()[0])
        if key in self.held:
            raise ValueError(f"{key} is written twice in one transaction.")
        self.held[key] = [kind, model, kwargs]
        return True

    def held_write(self, model_cls, hash_key: str):
        """The held [kind, record, kwargs] of this record in the transaction, or None."""
        return self.held.get((model_cls.Meta.table_name, hash_key))

    def save(self, model, condition=None, return_values=None):
        if not self._hold(
            model, "save", condition=condition, return_values=return_values
        ):
            self._put_add(model, condition, return_values)

    def _put_add(self, model, condition, return_values) -> None:
        operation = (
            put_operation(model, condition=condition) if return_values is None else None
        )
        if operation is None:
            TransactWrite.save(
                self, model, condition=condition, return_values=return_values
            )
            return
        self._put_items.append(operation)
        self._models_for_version_attribute_update.append(model)

    def update(self, model, actions, condition=None, return_values=None, *,
               add_version_condition=True):  # fmt: skip
        if not self._hold(
            model, "update", actions=list(actions), condition=condition,
            return_values=return_values, add_version_condition=add_version_condition,
        ):  # fmt: skip
            super().update(
                model, actions, condition=condition, return_values=return_values,
                add_version_condition=add_version_condition,
            )  # fmt: skip

    def update_fields(self, model, fields, condition=None, *,
                      add_version_condition=True, move_version=True):  # fmt: skip
        """
        Update `model`'s `fields` (None: removed) and its version, on
        `condition` and its version as read (core.field_updates); without
        `move_version`, only the fields.
        """
        options = {
            "fields": dict(fields), "condition": condition,
            "add_version_condition": add_version_condition and move_version,
            "move_version": move_version,
        }  # fmt: skip
        if not self._hold(model, "fields", **options):
            self._fields_add(model, **options)

    def _fields_add(
        self, model, *, fields, condition, add_version_condition, move_version
    ) -> None:
        operation = update_operation(
            model, fields, condition=condition,
            add_version_condition=add_version_condition, move_version=move_version,
        )  # fmt: skip
        self._update_items.append(operation)
        if move_version:
            self._models_for_version_attribute_update.append(model)

    def delete(self, model, condition=None, *, add_version_condition=True):
        if not self._hold(
            model, "delete", condition=condition,
            add_version_condition=add_version_condition,
        ):  # fmt: skip
            super().delete(
                model, condition=condition, add_version_condition=add_version_condition
            )

    def condition_check(self, model_cls, hash_key, range_key=None, condition=None):
        # A record's check is held too: when its head moves in the same
        # transaction, the check's condition goes into that one update
        # (DynamoDB refuses two operations on one item).
        if model_cls in _HEAD_ON_RECORD.values() and range_key is None:
            key = (model_cls.Meta.table_name, hash_key)
            if key in self.held:
                raise ValueError(f"{key} is written twice in one transaction.")
            self.held[key] = ["check", model_cls, {"condition": condition}]
            return
        super().condition_check(
            model_cls, hash_key, range_key=range_key, condition=condition
        )

    def held_release(self, model_cls, hash_key: str):
        """Take the held [kind, record, kwargs] of this record out, or None."""
        return self.held.pop((model_cls.Meta.table_name, hash_key), None)

    def _commit(self):
        for finalize in self.finalizers:
            finalize(self)
        held, self.held = self.held, {}
        for (_, hash_key), (kind, model, kwargs) in held.items():
            if kind == "check":
                TransactWrite.condition_check(self, model, hash_key, **kwargs)
            elif kind == "save":
                self._put_add(model, kwargs["condition"], kwargs["return_values"])
            elif kind == "update":
                actions = kwargs.pop("actions")
                TransactWrite.update(self, model, actions, **kwargs)
            elif kind == "fields":
                self._fields_add(model, **kwargs)
            else:
                TransactWrite.delete(self, model, **kwargs)
        response = super()._commit()
        for callback in self.after_commit:
            callback()
        return response


@contextmanager
def write_transaction(
    *, client_request_token: str | None = None
) -> Iterator[TransactWrite]:
    """
    Yield a TransactWrite that commits on exit, all or nothing.

    A failed condition or a concurrent transaction on the same item becomes
    `StaleRecord`; the caller may re-read to explain the refusal better.
    DynamoDB out of reach was already raised as ServiceUnavailable by the
    guarded connection the transaction is sent on.
    """
    try:
        with RecordTransactWrite(
            connection=connection(), client_request_token=client_request_token
        ) as transaction:
            yield transaction
    except TransactWriteError as exc:
        reasons = [r.code for r in (exc.cancellation_reasons or []) if r is not None]
        if exc.cause_response_code == "TransactionConflictException" or (
            reasons and set(reasons) <= _CONFLICT_CODES | {"None"}
        ):
            raise StaleRecord(extra={"reasons": reasons}) from exc
        if (
            exc.cause_response_code == "ValidationException"
            or "ValidationError" in reasons
        ):
            raise ValidationFailed(
                "DynamoDB refused the record as too large or malformed: "
                f"{exc.cause_response_message}"
            ) from exc
        raise


# --- Pagination -----------------------------------------------------------


def days_between(attribute, first: dt.date | None, last: dt.date | None, *, to_field):
    """
    Return a range key condition on a datetime attribute covering whole days
    `first` to `last` (either may be open) in the current time zone, or None.

    Days are those of the current time zone, as pages show dates in it. A
    range ending before it starts is refused, naming `to_field`: DynamoDB
    would answer a reversed BETWEEN with an error, not an empty list.
    """
    if first and last and first > last:
        message = "The end date is before the start date."
        raise ValidationFailed(message, {to_field: message})
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone) if first else None
    end = dt.datetime.combine(last, dt.time.max, tzinfo=zone) if last else None
    if start and end:
        return attribute.between(start, end)
    if start:
        return attribute >= start
    if end:
        return attribute <= end
    return None


_CURSOR_SALT = "p2p.pagination-cursor"


def encode_cursor(key: dict[str, Any] | None, *, scope: str) -> str | None:
    """Sign an index's last evaluated key into an opaque cursor valid for `scope`."""
    if not key:
        return None
    return signing.dumps({"s": scope, "k": key}, salt=_CURSOR_SALT, compress=True)


def decode_cursor(cursor: str | None, *, scope: str) -> dict[str, Any] | None:
    """Return the key behind a cursor, refusing one altered or made for another list."""
    if not cursor:
        return None
    try:
        payload = signing.loads(cursor, salt=_CURSOR_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidCursor() from None
    if not isinstance(payload, dict) or payload.get("s") != scope:
        raise InvalidCursor()
    key = payload.get("k")
    if not isinstance(key, dict):
        raise InvalidCursor()
    return key


def all_of(*conditions):
    """Return the conditions joined by AND (None when there are none)."""
    joined = None
    for condition in conditions:
        joined = condition if joined is None else joined & condition
    return joined


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def query_page(
    index,
    hash_key: str,
    *,
    range_key_condition=None,
    filter_condition=None,
    cursor: str | None = None,
    limit: int = 50,
    newest_first: bool = True,
    scope: str = "",
    filtered_page_size: int | None = None,
) -> Page:
    """
    Return one page of an index query and the cursor of the next page.

    A filtered query reads in pages of `filtered_page_size` items
    (FILTERED_PAGE_SIZE by default): a filter that rarely drops an item
    reads little more than the page.

    Reads one item past the page to know whether a next page exists, so the
    last page never offers an empty "next". `scope` names anything else the
    query depends on (a search prefix, a filter) so a cursor is not reused
    with other criteria.
    """
    # A cursor only resumes the list it came from (same index, partition and
    # `scope`, e.g. the search text): any other use is refused, not guessed.
    scope = f"{index.Meta.index_name}:{hash_key}:{scope}"
    start_key = decode_cursor(cursor, scope=scope)
    if filter_condition is not None:
        return _filtered_page(
            index,
            hash_key,
            range_key_condition=range_key_condition,
            filter_condition=filter_condition,
            start_key=start_key,
            limit=limit,
            newest_first=newest_first,
            scope=scope,
            page_size=filtered_page_size or FILTERED_PAGE_SIZE,
        )
    results = index.query(
        hash_key,
        range_key_condition=range_key_condition,
        scan_index_forward=not newest_first,
        last_evaluated_key=start_key,
        page_size=limit + 1,
    )
    items = []
    next_key = None
    for item in results:
        if len(items) == limit:
            break
        items.append(item)
        next_key = results.last_evaluated_key
    else:
        next_key = None
    return Page(items=items, next_cursor=encode_cursor(next_key, scope=scope))


# A filtered list reads index items in pages of this many and stops once it
# has read this many, returning what matched and a cursor to read on: a rare
# match must not make one request read a whole partition.
FILTERED_PAGE_SIZE = 200
FILTERED_READ_LIMIT = 2000


def _filtered_page(
    index,
    hash_key,
    *,
    range_key_condition,
    filter_condition,
    start_key,
    limit: int,
    newest_first: bool,
    scope: str,
    page_size: int = FILTERED_PAGE_SIZE,
) -> Page:
    results = index.query(
        hash_key,
        range_key_condition=range_key_condition,
        filter_condition=filter_condition,
        scan_index_forward=not newest_first,
        last_evaluated_key=start_key,
        page_size=page_size,
    )
    pages = results.page_iter  # raw pages, so reading can stop between them
    items, next_key = [], None
    for page in pages:
        raw_items = page.get("Items", [])
        for position, raw in enumerate(raw_items):
            # PynamoDB sets `_model` on every index declared on a model.
            items.append(index._model.from_raw_data(raw))
            if len(items) == limit:
                if position < len(raw_items) - 1:  # resume after this item
                    next_key = {name: raw[name] for name in pages.key_names}
                else:
                    next_key = pages.last_evaluated_key
                return Page(items, encode_cursor(next_key, scope=scope))
        next_key = pages.last_evaluated_key
        if next_key is None or pages.total_scanned_count >= FILTERED_READ_LIMIT:
            break
    return Page(items, encode_cursor(next_key, scope=scope))


# DynamoDB refuses a sort key (and so a key condition on one) over 1,024 bytes.
SORT_KEY_MAX_BYTES = 1024


def prefix_page(
    index, hash_key: str, sort_key, prefix: str, *, limit: int = 10
) -> Page:
    """
    Return the first items of an index partition whose sort key begins with
    `prefix`, in key order: an exact match sorts before every longer key it
    begins, so it always comes first.
    """
    if not prefix or len(prefix.encode()) > SORT_KEY_MAX_BYTES:
        return Page(items=[], next_cursor=None)  # no stored key can match
    return query_page(
        index,
        hash_key,
        range_key_condition=sort_key.startswith(prefix),
        limit=limit,
        newest_first=False,
        scope=prefix,
    )
