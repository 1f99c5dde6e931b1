"""Two clerks taking in one file, or resolving one inbox item, at the same moment."""

from unittest.mock import patch

import pytest

from accounts.roles import Role, has_role
from einvoicing.selectors import intake_get, intake_list, source_fingerprint_get
from einvoicing.services import einvoice_take_in, intake_assign_po
from invoicing.selectors import invoice_get, invoice_list_for_po
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


def test_two_clerks_resolving_one_item_at_once_make_one_invoice(
    clerk, clerk2, einvoice_tax_codes, seller, seller_po
):
    intake = einvoice_take_in(
        user=clerk, received=received(einvoice()), einvoice=einvoice()
    ).intake
    assert intake.status == "needs_po"
    po = seller_po()
    prime(clerk, clerk2)
    document = einvoice()

    def resolve(user):
        return lambda: intake_assign_po(
            intake_id=intake.id, user=user, po_id=po.id, version=intake.version
        )

    # The hand-made document stands for the stored XML.
    with patch("einvoicing.services.intake_einvoice", return_value=document):
        outcomes = run_together([resolve(clerk), resolve(clerk2)])

    ok, refused = sorted(outcomes, key=lambda outcome: outcome != "ok")
    assert ok == "ok"
    # Refused as resolved meanwhile, or read after it was: stale.
    assert refused.startswith(
        ("InvalidTransition: E-invoice INV-1001 was imported by clerk", "StaleRecord")
    ), refused
    done = intake_get(intake_id=intake.id)
    assert done.status == "imported"
    assert invoice_get(invoice_id=done.invoice_id).vendor_id == seller.id
    assert [i.id for i in invoice_list_for_po(po_id=po.id).items] == [done.invoice_id]
    assert (
        source_fingerprint_get(sha256=intake.source_sha256).invoice_id
        == done.invoice_id
    )


def test_a_folder_is_taken_in_four_files_at_a_time_each_once_in_its_order(
    settings, einvoice_tax_codes, make_vendor, requester, approver, tmp_path
):
    from accounting import selectors as accounting_selectors
    from einvoicing import jobs
    from einvoicing.document import Syntax
    from tests.conftest import make_user
    from tests.einvoicing.broken import with_number
    from tests.einvoicing.ways import UBL1_SELLER_VAT_ID, ubl1_for_po

    settings.EINVOICE_IMPORT_WORKERS = 4
    importer = make_user("einvoice_import", "AP Clerk")
    vendor = make_vendor("Koksmaat", vat_id=UBL1_SELLER_VAT_ID)
    for letter in "abcdef":
        xml, _ = ubl1_for_po(vendor=vendor, requester=requester, approver=approver)
        document = with_number(xml, Syntax.UBL, f"INV-{letter.upper()}")
        (tmp_path / f"{letter}.xml").write_bytes(document)
    (tmp_path / "c-again.xml").write_bytes((tmp_path / "c.xml").read_bytes())
    lists_read = []
    query = accounting_selectors._query

    def counted(model_cls):
        lists_read.append(model_cls.__name__)
        return query(model_cls)

    with patch.object(accounting_selectors, "_query", counted):
        summary = jobs.drop_location_import(str(tmp_path), user=importer)

    assert [item.file for item in summary.files] == [
        "a.xml", "b.xml", "c-again.xml", "c.xml", "d.xml", "e.xml", "f.xml",
    ]  # fmt: skip
    outcomes = {item.file: item.outcome for item in summary.files}
    assert sorted([outcomes["c.xml"], outcomes["c-again.xml"]]) == [
        "imported",
        "skipped",
    ]
    assert summary.count("imported") == 6
    numbers = {
        invoice_get(invoice_id=i.invoice_id).invoice_number for i in summary.files
    }
    assert numbers == {f"INV-{letter}" for letter in "ABCDEF"}
    # The workers share the batch's code lists: each list read once, not per file.
    assert len(lists_read) == len(set(lists_read))
