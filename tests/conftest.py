"""
Test fixtures: every registered DynamoDB table, on moto or on DynamoDB Local.

`P2P_TEST_DYNAMODB=moto` (default) runs the session inside `mock_aws`;
`P2P_TEST_DYNAMODB=local` starts DynamoDB Local in memory once per run
(one for every pytest-xdist worker, each on tables of its own prefix): what
`make test` runs, since it proves
conditions, transactions and concurrency, which moto does not reproduce.
Either way each test starts with every table empty.
"""

import datetime as dt
import os
import re
import threading
import uuid

import boto3
import botocore.client
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in
from django.core.mail.backends.base import BaseEmailBackend
from django_otp import DEVICE_ID_SESSION_KEY
from moto import mock_aws

from core import dynamo, transport
from core.errors import ApplicationError
from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get
from invoicing.services import invoice_create
from localdev import dynamodb_local
from purchasing.services import purchase_order_approve, purchase_order_create
from vendors.services import vendor_bank_details_confirm, vendor_create

# Fixtures kept in modules of their own.
pytest_plugins = ["tests.field_update_checks"]

BACKEND = os.environ.get("P2P_TEST_DYNAMODB", "moto")
if BACKEND not in {"moto", "local"}:
    raise RuntimeError("P2P_TEST_DYNAMODB must be 'moto' or 'local'")

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def pytest_report_header(config):
    return f"DynamoDB backend: {BACKEND}"


def pytest_collection_modifyitems(config, items):
    """
    Leave out (deselected, not skipped) on moto the tests only DynamoDB Local
    can prove: `make test` runs every test on DynamoDB Local, and moto is the
    quicker loop (`make test-moto`) for everything else.
    """
    if BACKEND != "moto":
        return
    left_out = [
        item for item in items if item.get_closest_marker("dynamodb_local_only")
    ]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item not in left_out]


# With pytest-xdist, one DynamoDB Local (started by the controlling process,
# its endpoint handed to the workers in the environment) serves every worker,
# each on tables of its own prefix: one JVM to start and warm up, not one per
# worker.
SHARED_ENDPOINT = "P2P_TEST_DYNAMODB_ENDPOINT"
TABLE_PREFIX = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-"
_SHARED_PROCESS = pytest.StashKey()


def pytest_configure(config):
    if (
        BACKEND == "local"
        and not hasattr(config, "workerinput")
        and config.getoption("numprocesses", None)
        and SHARED_ENDPOINT not in os.environ
    ):
        port = dynamodb_local.free_port()
        config.stash[_SHARED_PROCESS] = dynamodb_local.start(port=port)
        os.environ[SHARED_ENDPOINT] = f"http://127.0.0.1:{port}"


def pytest_unconfigure(config):
    process = config.stash.get(_SHARED_PROCESS, None)
    if process is not None:
        dynamodb_local.stop(process)


@pytest.fixture(scope="session")
def dynamodb_endpoint():
    """Start the backend once per session; yield its endpoint (None for moto)."""
    if BACKEND == "moto":
        with mock_aws():
            yield None
        return
    if SHARED_ENDPOINT in os.environ:
        yield os.environ[SHARED_ENDPOINT]
        return
    port = dynamodb_local.free_port()
    process = dynamodb_local.start(port=port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        dynamodb_local.stop(process)


_tables_ready = False

# What a request may have written since the tables were last emptied: each
# test deletes only those items, by their keys, with no scan (scanning every
# table before every test was a quarter of the suite's time; scanning the
# written ones, a tenth). Every DynamoDB request of the process, from
# PynamoDB, boto3 or another thread, goes through botocore's _make_api_call
# or, on the models' clients, core.transport's Sender.call.
# A write whose key is not in DynamoDB's wire form (a boto3 resource's
# native values, typed later) leaves its table to be scanned.
_written_keys: dict[str, set[tuple]] = {}
_scan_tables: set[str] = set()
_noted = threading.Lock()  # writes come from the job's and the live server's threads
_WRITES = {
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
}
_WIRE_TYPES = {"S", "N", "B"}
_make_api_call = botocore.client.BaseClient._make_api_call


def _note_writes(operation_name: str, params: dict) -> None:
    if operation_name in _WRITES:
        for table, item in _items_written_by(operation_name, params):
            _note_key(table, item)


def _noting_writes(client, operation_name, api_params):
    if client.meta.service_model.service_name == "dynamodb":
        _note_writes(operation_name, api_params)
    return _make_api_call(client, operation_name, api_params)


def _items_written_by(operation_name: str, params: dict):
    """(table, item or key) for every item the request may write."""
    if operation_name == "BatchWriteItem":
        for table, requests in params.get("RequestItems", {}).items():
            for request in requests:
                if "PutRequest" in request:
                    yield table, request["PutRequest"].get("Item", {})
                else:
                    yield table, request.get("DeleteRequest", {}).get("Key", {})
    elif operation_name == "TransactWriteItems":
        for entry in params.get("TransactItems", []):
            for kind, action in entry.items():
                if kind != "ConditionCheck":
                    yield action["TableName"], action.get("Item") or action.get("Key")
    else:
        yield params["TableName"], params.get("Item") or params.get("Key")


botocore.client.BaseClient._make_api_call = _noting_writes
_sender_call = transport.Sender.call


def _sender_noting_writes(sender, operation_name, params):
    _note_writes(operation_name, params)
    return _sender_call(sender, operation_name, params)


transport.Sender.call = _sender_noting_writes

_KEY_NAMES: dict[str, tuple[str, ...]] = {}


def _key_names(table: str) -> tuple[str, ...] | None:
    """The key attributes of a registered table (its name as configured)."""
    if table not in _KEY_NAMES:
        for model_cls in dynamo.registered_models():
            keys = [model_cls._hash_key_attribute().attr_name]
            if model_cls._range_key_attribute() is not None:
                keys.append(model_cls._range_key_attribute().attr_name)
            _KEY_NAMES[model_cls.Meta.table_name] = tuple(keys)
    return _KEY_NAMES.get(table)


def _note_key(table: str, item) -> None:
    names = _key_names(table)
    try:
        key = tuple((name, *item[name].items()) for name in names)
    except (AttributeError, KeyError, TypeError):
        key = None
    with _noted:
        if key is None or any(
            len(part) != 2 or part[1][0] not in _WIRE_TYPES for part in key
        ):
            _scan_tables.add(table)
        else:
            _written_keys.setdefault(table, set()).add(key)


def _empty_tables() -> None:
    # Only the tables of the current prefix: a test may have written to
    # tables of its own prefix (or on moto's, within DynamoDB Local's run).
    current = {model_cls.Meta.table_name for model_cls in dynamo.registered_models()}
    with _noted:
        written = {table: set(keys) for table, keys in _written_keys.items()}
        scanned = set(_scan_tables)
        _written_keys.clear()
        _scan_tables.clear()
    requests = [
        (
            table,
            {
                "DeleteRequest": {
                    "Key": {name: {kind: value} for name, (kind, value) in key}
                }
            },
        )
        for table, keys in written.items()
        if table in current and table not in scanned
        for key in keys
    ]
    client = dynamo.connection().client
    for batch in _batches(requests):
        while batch:
            batch = client.batch_write_item(RequestItems=batch).get("UnprocessedItems")
    for model_cls in dynamo.registered_models():
        if model_cls.Meta.table_name in scanned:
            with model_cls.batch_write() as writer:
                for item in model_cls.scan():
                    writer.delete(item)
    # The deletes themselves were noted as writes.
    with _noted:
        _written_keys.clear()
        _scan_tables.clear()


def _batches(requests: list[tuple[str, dict]]):
    """
    BatchWriteItem's RequestItems of up to 25 requests, of several tables on
    DynamoDB Local; moto refuses equal keys in one request even in different
    tables, so there each table has requests of its own.
    """
    batch: dict[str, list] = {}
    for table, request in requests:
        if sum(map(len, batch.values())) == 25 or (
            BACKEND == "moto" and batch and table not in batch
        ):
            yield batch
            batch = {}
        batch.setdefault(table, []).append(request)
    if batch:
        yield batch


# Fixtures whose test runs on a transactional database, flushed when it ends.
_FLUSHING = {"transactional_db", "live_server", "django_db_serialized_rollback"}


def _flushes(item) -> bool:
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction")
    return bool(transactional) or not _FLUSHING.isdisjoint(item.fixturenames)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """
    Once a test on a transactional database (the live server's) has flushed
    it, put back what the migrations wrote (the role groups), as serialized
    when the test database was made: pytest-xdist hands a worker such tests
    between ordinary ones, which would then find the groups gone (run alone,
    pytest-django orders transactional tests last). Restoring the same rows
    with their own keys is what a serialized-rollback test does at its start,
    so the two never collide.
    """
    yield
    if not _flushes(item):
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=True):
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(autouse=True)
def dynamodb(dynamodb_endpoint, settings):
    """Every registered table, empty, on the selected backend."""
    global _tables_ready
    settings.AWS_REGION = "us-east-1"
    settings.DYNAMODB_TABLE_PREFIX = TABLE_PREFIX
    settings.DYNAMODB_ENDPOINT_URL = dynamodb_endpoint
    if BACKEND == "moto":
        settings.AWS_ACCESS_KEY_ID = settings.AWS_SECRET_ACCESS_KEY = None
        # moto's transactions are not thread-safe (each copies every table
        # and restores the copy on failure); DynamoDB Local runs them in parallel.
        settings.VENDOR_IMPORT_WORKERS = settings.EINVOICE_IMPORT_WORKERS = 1
    dynamo.configure_models()
    if not _tables_ready:
        dynamo.create_tables()
        _tables_ready = True
    _empty_tables()
    yield BACKEND
    dynamo.configure_models()


def make_user(
    username: str, *roles: str, superuser: bool = False, second_factor: bool = True
):
    """
    A user with `roles`, signed in with a second factor unless told otherwise
    (see `verified`): money movers' tests then act as the app lets them.
    """
    user = get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.com",
        password="pw-for-tests-1",
        is_superuser=superuser,
    )
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return verified(user) if second_factor else user


# --- The second factor (accounts.second_factor) ------------------------------


def verified(user):
    """
    Enrol `user` with an authenticator (TOTP) device and mark the user object
    as verified with it, as the sign-in's code step does: services see a
    verified user, and `client.force_login(user)` keeps the device in the
    session (django-otp's `user_logged_in` receiver), so pages do too.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    user.otp_device = device or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=True
    )
    return user


@pytest.fixture
def admin_user(db, django_user_model):
    """pytest-django's superuser (and `admin_client`'s), signed in with a second factor."""
    return verified(
        django_user_model.objects.create_superuser(
            "admin", "admin@example.com", "password"
        )
    )


def _force_login_keeps_the_device(sender, request, user, **kwargs):
    """
    Keep a verified user's device in the session `client.force_login` makes.

    django-otp does so on every login (`django_otp.login`) through
    `request.user`, which force_login's bare request lacks; a real sign-in
    has it, and is left to django-otp.
    """
    device = getattr(user, "otp_device", None)
    if device is not None and not hasattr(request, "user"):
        request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id


user_logged_in.connect(_force_login_keeps_the_device)


def totp_code(device) -> str:
    """
    The code the device's authenticator app shows now, as a person types it.

    A code is accepted once (django-otp remembers the last time step used):
    when this step's code was used already, the next step's, which the
    device's tolerance still accepts; later than that, wait for the clock.
    """
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    while totp.t() + device.tolerance <= device.last_t:
        time.sleep(0.5)
        totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time = totp.time + device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def clerk(db):
    return make_user("clerk", "AP Clerk")


@pytest.fixture
def clerk2(db):
    return make_user("clerk2", "AP Clerk")


@pytest.fixture
def requester(db):
    return make_user("requester", "Requester")


@pytest.fixture
def buyer(db):
    """A Buyer (issue 21): marks any PO sent, closes any PO."""
    return make_user("buyer", "Buyer")


@pytest.fixture
def auditor(db):
    return make_user("auditor", "Auditor")


@pytest.fixture
def nobody(db):
    """A logged-in user without any role."""
    return make_user("nobody")


# No tax id: a second vendor with another's is refused (issue 17), and tests
# make many vendors from these fields; the `vendor` fixture has `ACME_TAX_ID`.
ACME_TAX_ID = "DE123456789"
VALID_VENDOR = {
    "name": "Acme Supplies GmbH",
    "email": "billing@acme.example",
    "phone": "+49 30 1234567",
    "address": "Hauptstr. 1\n10115 Berlin",
    "payment_terms": "Net 30",
    "currency": "EUR",
}


@pytest.fixture
def vendor_fields():
    return dict(VALID_VENDOR)


@pytest.fixture
def vendor(clerk, vendor_fields):
    from vendors.services import vendor_create

    return vendor_create(user=clerk, fields={**vendor_fields, "tax_id": ACME_TAX_ID})


@pytest.fixture
def approver(db):
    from accounts.models import Profile

    user = make_user("approver", "Approver")
    Profile.objects.create(user=user, approval_limit="10000.00")
    return user


@pytest.fixture
def approver2(db):
    from accounts.models import Profile

    user = make_user("approver2", "Approver")
    Profile.objects.create(user=user, approval_limit="50000.00")
    return user


@pytest.fixture
def active_vendor(clerk, vendor_fields):
    from vendors.services import vendor_create

    return vendor_create(user=clerk, fields={**vendor_fields, "status": "active"})


def po_lines(*pairs):
    """Lines from (quantity, unit price) pairs, as a form or API would send them."""
    return [
        {"description": f"Item {n}", "quantity": q, "unit_price": p}
        for n, (q, p) in enumerate(pairs, start=1)
    ]


@pytest.fixture
def make_po(requester, active_vendor):
    from purchasing.services import purchase_order_create

    def make(*pairs, user=None, **fields):
        return purchase_order_create(
            user=user or requester,
            vendor_id=active_vendor.id,
            lines=po_lines(*(pairs or [("10", "100.00"), ("5", "20.00")])),
            **fields,
        )

    return make


# What htmx sends when it swaps part of a page (core.htmx).
HTMX = {"HX-Request": "true"}


def htmx_fragment(response, *, region: str) -> str:
    """The HTML of an htmx answer that is `region` alone, with the messages out of band."""
    html = response.content.decode()
    assert "<html" not in html and '<nav aria-label="Main">' not in html, html[:300]
    assert f'id="{region}"' in html
    assert '<div id="messages" hx-swap-oob="true">' in html
    assert "HX-Request" in response["Vary"]
    return html


def htmx_next_page(url: str, html: str) -> str:
    """The URL the "next" link of a fragment has htmx ask for."""
    query = re.search(r'rel="next" hx-get="\?([^"]+)"', html).group(1)
    return f"{url}?{query.replace('&amp;', '&')}"


def whole_page(response, *, region: str) -> str:
    """The HTML of a whole page holding `region` once."""
    html = response.content.decode()
    assert "<html" in html and '<nav aria-label="Main">' in html
    assert html.count(f'id="{region}"') == 1
    assert html.count('id="messages"') == 1 and "hx-swap-oob" not in html
    return html


# --- A mail server that is down ---------------------------------------------


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


# --- Concurrency ------------------------------------------------------------


def run_together(calls):
    """Start every call at the same instant; return each one's outcome."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            call()
            outcomes[index] = "ok"
        except ApplicationError as exc:
            outcomes[index] = type(exc).__name__ + ": " + exc.message

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


# --- Documents on S3 ---------------------------------------------------------


def s3_storage(settings, **options) -> dict:
    """The configured S3 storage (settings.S3_DOCUMENT_STORAGE), with overrides."""
    configured = settings.S3_DOCUMENT_STORAGE
    return {**configured, "OPTIONS": {**configured["OPTIONS"], **options}}


@pytest.fixture
def s3_bucket(settings):
    """A fresh versioned bucket on moto, made the default storage."""
    with mock_aws():
        name = f"documents-{uuid.uuid4().hex[:12]}"
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=name)
        client.put_bucket_versioning(
            Bucket=name, VersioningConfiguration={"Status": "Enabled"}
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": s3_storage(
                settings, bucket_name=name, region_name="us-east-1", endpoint_url=None
            ),
        }
        yield client, name


# --- Payable invoices (payments, the dashboard, the admin's records) -------

TODAY = dt.date.today()

EUR_IBAN_1 = "DE89370400440532013000"
EUR_IBAN_2 = "FR1420041010050500013M02606"
US_ACCOUNT = "123456789"
US_ROUTING = "021000021"


@pytest.fixture
def treasurer(db):
    return make_user("treasurer", "Treasurer")


@pytest.fixture
def treasurer2(db):
    return make_user("treasurer2", "Treasurer")


@pytest.fixture
def make_vendor(clerk, clerk2):
    """An active vendor whose bank details a second clerk confirmed."""

    def make(name, **fields):
        vendor = vendor_create(
            user=clerk,
            fields={
                **VALID_VENDOR,
                "name": name,
                "tax_id": None,
                "status": "active",
                **fields,
            },
        )
        if vendor.bank_details_awaiting_confirmation:
            vendor = vendor_bank_details_confirm(
                vendor_id=vendor.id, user=clerk2, version=vendor.version
            )
        return vendor

    return make


@pytest.fixture
def matched_invoice(requester, approver, clerk):
    """A matched invoice of `vendor` for quantity x price, dated `invoice_date`."""
    counter = iter(range(1, 1000))

    def make(vendor, total="1000.00", *, invoice_date=None, number=None):
        po = purchase_order_create(
            user=requester,
            vendor_id=vendor.id,
            lines=po_lines(("1", total)),
            currency=vendor.currency,
        )
        purchase_order_approve(po_id=po.id, user=approver)
        invoice = invoice_create(
            user=clerk,
            po_id=po.id,
            invoice_number=number or f"INV-{next(counter):03d}",
            invoice_date=invoice_date or TODAY - dt.timedelta(days=30),
            lines=po_lines(("1", total)),
        )
        invoice_reconcile(invoice_id=invoice.id, user=clerk)
        invoice = invoice_get(invoice_id=invoice.id)
        assert invoice.status == "matched"
        return invoice

    return make


@pytest.fixture
def three_vendors(make_vendor, make_rate):
    """Two EUR vendors paid by IBAN, one USD vendor paid by US account + ABA."""
    make_rate("USD", "0.92")  # so the USD vendor's POs can be approved
    return (
        make_vendor("Acme Supplies GmbH", iban=EUR_IBAN_1, bic="COBADEFFXXX"),
        make_vendor(
            "Bureau Fournitures SA", iban=EUR_IBAN_2, payment_terms="2/10 Net 30"
        ),
        make_vendor(
            "Globex Corp",
            currency="USD",
            account_number=US_ACCOUNT,
            routing_number=US_ROUTING,
        ),
    )


# --- Exchange rates (approvals compare amounts in the base currency) ---------
# `admin_user` (a superuser named "admin") is pytest-django's.


@pytest.fixture
def make_rate(db):
    """Enter a rate to the base currency (EUR), valid from `valid_from` (long ago)."""
    from exchange_rates.services import exchange_rate_create

    admin = None

    def make(currency, rate, valid_from=dt.date(2000, 1, 1), source=None):
        nonlocal admin
        if admin is None:
            admin = make_user("rates-admin", superuser=True)
        return exchange_rate_create(
            user=admin,
            currency=currency,
            valid_from=valid_from,
            rate=rate,
            source=source,
        )

    return make


@pytest.fixture
def tax_codes(dynamodb, admin_user, settings):
    """The German profile's tax codes, GL accounts and cost centres (accounting.defaults)."""
    from accounting.services import accounting_defaults_install

    accounting_defaults_install(user=admin_user, profile="DE")
    settings.DEFAULT_TAX_CODE = "V19"
