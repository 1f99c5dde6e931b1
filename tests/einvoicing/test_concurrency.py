"""Two clerks taking in one file, or resolving one inbox item, at the same moment."""

import pytest

from accounts.roles import Role, has_role
from einvoicing.selectors import intake_list, source_fingerprint_get
from einvoicing.services import einvoice_take_in
from invoicing.selectors import invoice_list_for_po
from tests.conftest import run_together
from tests.einvoicing.factories import einvoice, received

pytestmark = pytest.mark.dynamodb_local_only


def prime(*users):
    """Read roles now: threads must not share the test's SQLite connection."""
    for user in users:
        assert has_role(user, Role.AP_CLERK)


def test_the_same_file_imported_twice_at_once_gives_one_invoice(
    clerk, clerk2, einvoice_tax_codes, seller, seller_po
):
    po = seller_po()
    document = einvoice(order_reference=po.po_number)
    file = received(document)
    prime(clerk, clerk2)

    outcomes = run_together(
        [
            lambda user=user: einvoice_take_in(
                user=user, received=file, einvoice=document
            )
            for user in (clerk, clerk2)
        ]
    )

    assert sorted(outcomes) == [
        "Duplicate: This file (invoice.xml) was already taken in as an invoice.",
        "ok",
    ]
    (invoice,) = invoice_list_for_po(po_id=po.id).items
    assert source_fingerprint_get(sha256=file.sha256).invoice_id == invoice.id


def test_the_same_unknown_sellers_file_twice_at_once_waits_once(
    clerk, clerk2, einvoice_tax_codes
):
    document = einvoice()
    file = received(document)
    prime(clerk, clerk2)

    outcomes = run_together(
        [
            lambda user=user: einvoice_take_in(
                user=user, received=file, einvoice=document
            )
            for user in (clerk, clerk2)
        ]
    )

    assert sorted(outcomes) == [
        "Duplicate: This file (invoice.xml) was already taken in into the e-invoice "
        "inbox.",
        "ok",
    ]
    assert len(intake_list().items) == 1
