import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from core import dynamo
from tests.conftest import TABLE_PREFIX
from vendors.selectors import vendor_list


def test_create_tables_is_idempotent_and_reports_each_table():
    out = StringIO()
    call_command("create_tables", stdout=out)
    call_command("create_tables", stdout=out)
    text = out.getvalue()
    assert f"table {TABLE_PREFIX}VendorsTable exists" in text
    assert f"table {TABLE_PREFIX}AuditLogTable exists" in text
    for model_cls in dynamo.registered_models():
        assert model_cls.exists()


def test_create_tables_adds_an_index_missing_from_an_existing_table():
    from vendors.models import Vendor

    client = dynamo.boto3_client()
    table = Vendor.Meta.table_name
    client.update_table(
        TableName=table,
        GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "listing-name-index"}}],
    )
    dynamo.wait_for_index(client, table, "listing-name-index", status=None)
    out = StringIO()
    call_command("create_tables", stdout=out)
    assert f"added index listing-name-index to {table}" in out.getvalue()
    indexes = client.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"]
    assert "listing-name-index" in {index["IndexName"] for index in indexes}


def test_a_create_table_retried_after_a_slow_answer_counts_as_created(monkeypatch):
    """Under load botocore retries CreateTable; the retry finds the table the
    first attempt made, which must not fail `make run` or a test session."""
    from botocore.exceptions import ClientError
    from pynamodb.exceptions import TableError

    from vendors.models import Vendor

    Vendor.delete_table()
    create = Vendor.create_table.__func__

    def created_then_refused(cls, **kwargs):
        create(cls, **kwargs)
        refused = ClientError(
            {"Error": {"Code": "ResourceInUseException", "Message": "in use"}},
            "CreateTable",
        )
        raise TableError("Failed to create table", cause=refused)

    monkeypatch.setattr(Vendor, "create_table", classmethod(created_then_refused))
    out = StringIO()
    call_command("create_tables", stdout=out)
    assert f"created table {Vendor.Meta.table_name}" in out.getvalue()
    assert Vendor.exists()


def test_create_tables_explains_an_unreachable_endpoint(settings):
    settings.DYNAMODB_ENDPOINT_URL = "http://127.0.0.1:9"
    settings.DYNAMODB_CONNECT_TIMEOUT_SECONDS = 1
    dynamo.configure_models()
    with pytest.raises(
        CommandError, match="Could not reach DynamoDB at http://127.0.0.1:9"
    ):
        call_command("create_tables", stdout=StringIO())


@pytest.mark.django_db
def test_seed_demo_creates_one_user_per_role_and_vendors_once():
    call_command("seed_demo", "--password", "first-pass-123", stdout=StringIO())
    call_command("seed_demo", "--password", "other-pass-456", stdout=StringIO())
    User = get_user_model()
    expected = {
        "requester": "Requester",
        "approver": "Approver",
        "approver2": "Approver",
        "clerk": "AP Clerk",
        "treasurer": "Treasurer",
        "auditor": "Auditor",
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.check_password("first-pass-123")  # a rerun keeps passwords
    assert User.objects.get(username="admin").is_superuser
    # import_einvoices' service account: an AP Clerk nobody signs in as.
    importer = User.objects.get(username="einvoice_import")
    assert list(importer.groups.values_list("name", flat=True)) == ["AP Clerk"]
    assert not importer.has_usable_password()
    vendors = vendor_list().items
    # DE, FR, CH and US vendors paid by bank (issue 17), one pending in GB.
    assert {v.country for v in vendors} == {"DE", "FR", "CH", "US", "GB"}
    assert all(v.town for v in vendors)
    paid_by_bank = [v for v in vendors if v.has_bank_details]
    assert paid_by_bank and not any(v.on_payment_hold() for v in paid_by_bank)
    # A treasurer logging in finds one matched invoice per payable vendor to pay
    # today (seeded once, not again on the rerun).
    from invoicing.selectors import invoices_in_statuses
    from payments.selectors import payment_run_proposal

    matched = list(invoices_in_statuses(statuses=("matched",)))
    assert len(matched) == 4
    from tests.conftest import verified

    treasurer = verified(User.objects.get(username="treasurer"))  # signed in fully
    proposal = payment_run_proposal(user=treasurer, payment_date=dt.date.today())
    assert {p.vendor.name for p in proposal.payments} == {v.name for v in paid_by_bank}
    assert not proposal.blocking


@pytest.mark.django_db
def test_role_groups_exist_after_migrations():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Requester",
        "Approver",
        "AP Clerk",
        "Treasurer",
        "Auditor",
    }
