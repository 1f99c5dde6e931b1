"""manage.py import_einvoices: a folder or an s3:// prefix, each new file once."""

import hashlib
import io
import json
from types import SimpleNamespace

import boto3
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from moto import mock_aws

from core.errors import Duplicate
from einvoicing import lambda_handler, services
from einvoicing.document import EInvoiceInvalid, RuleResult
from einvoicing.services import ImportOutcome
from tests.conftest import make_user
from tests.einvoicing.broken import with_total_broken
from tests.einvoicing.samples import sample_bytes
from tests.einvoicing.ways import UBL1_SELLER_VAT_ID, ubl1_for_po


@pytest.fixture
def importer(db, settings):
    settings.EINVOICE_IMPORT_USER = "einvoice_import"
    return make_user("einvoice_import", "AP Clerk")


def run(*args) -> tuple[dict, str, CommandError | None]:
    """Run the command; return its JSON summary, its whole output, its error."""
    out = io.StringIO()
    error = None
    try:
        call_command("import_einvoices", *args, stdout=out)
    except CommandError as exc:
        error = exc
    text = out.getvalue()
    return json.loads(text[text.index("{") :]), text, error


# --- The command's own paths, with the import service stood in for ----------


@pytest.fixture
def fake_import(monkeypatch):
    """
    einvoice_import standing in for the real one by content: b"invoice ...",
    b"inbox ..." or anything else refused by a rule; a file seen before is
    refused as already imported, as the real one does by its SHA-256.
    """
    seen, calls = set(), []

    def einvoice_import(*, user, filename, content):
        calls.append((user.username, filename))
        digest = hashlib.sha256(content).hexdigest()
        if digest in seen:
            raise Duplicate(
                "Taken in before.",
                {"already_imported": True, "existing_invoice_id": "inv-old"},
            )
        if content.startswith(b"invoice"):
            seen.add(digest)
            invoice = SimpleNamespace(
                id=f"inv-{filename}", invoice_number=filename, vendor_name="Acme",
                is_credit_note=False, status="received",
            )  # fmt: skip
            return ImportOutcome(einvoice=None, warnings=(), invoice=invoice)
        if content.startswith(b"inbox"):
            seen.add(digest)
            intake = SimpleNamespace(
                id=f"in-{filename}", invoice_number=filename, seller_name="Unknown",
                reason="No vendor has VAT id DE1.",
            )  # fmt: skip
            return ImportOutcome(einvoice=None, warnings=(), intake=intake)
        raise EInvoiceInvalid(
            (RuleResult(rule_id="BR-CO-15", flag="fatal", text="Total wrong."),)
        )

    monkeypatch.setattr(services, "einvoice_import", einvoice_import)
    return calls


def test_the_folder_s_xml_and_pdf_files_are_imported_and_summarised(
    importer, fake_import, tmp_path
):
    (tmp_path / "a.xml").write_bytes(b"invoice a")
    (tmp_path / "b.PDF").write_bytes(b"inbox b")
    (tmp_path / "notes.txt").write_bytes(b"invoice not an e-invoice file")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.xml").write_bytes(b"invoice c")

    summary, _, error = run(str(tmp_path))

    assert error is None
    assert (summary["imported"], summary["inbox"], summary["skipped"]) == (1, 1, 0)
    assert summary["failed"] == 0
    assert [(f["file"], f["outcome"]) for f in summary["files"]] == [
        ("a.xml", "imported"),
        ("b.PDF", "inbox"),
    ]
    assert summary["files"][0]["message"] == (
        "a.xml of Acme imported as invoice, waiting for reconciliation"
    )
    assert summary["files"][1]["intake_id"] == "in-b.PDF"
    assert {user for user, _ in fake_import} == {"einvoice_import"}


def test_recursive_takes_the_subfolders_in(importer, fake_import, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.xml").write_bytes(b"invoice c")

    summary, _, _ = run(str(tmp_path), "--recursive")

    assert [f["file"] for f in summary["files"]] == ["sub/c.xml"]


def test_a_re_run_skips_what_was_taken_in_and_a_refusal_exits_1_leaving_the_file(
    importer, fake_import, tmp_path
):
    (tmp_path / "a.xml").write_bytes(b"invoice a")
    run(str(tmp_path))
    (tmp_path / "broken.xml").write_bytes(b"broken")

    summary, text, error = run(str(tmp_path))

    assert (summary["imported"], summary["skipped"], summary["failed"]) == (0, 1, 1)
    broken = summary["files"][1]
    assert broken["file"] == "broken.xml"
    assert broken["errors"] == [
        {"rule": "BR-CO-15", "flag": "fatal", "message": "Total wrong."}
    ]
    assert error is not None and error.returncode == 1
    assert "1 file(s) could not be imported" in str(error)
    assert (tmp_path / "broken.xml").read_bytes() == b"broken"
    assert (tmp_path / "a.xml").exists()  # nothing moved unless asked


def test_move_imported_to_moves_only_what_was_taken_in(importer, fake_import, tmp_path):
    drop, done = tmp_path / "drop", tmp_path / "done"
    drop.mkdir()
    (drop / "a.xml").write_bytes(b"invoice a")
    (drop / "b.xml").write_bytes(b"inbox b")
    (drop / "c.xml").write_bytes(b"broken")

    summary, _, error = run(str(drop), "--move-imported-to", str(done))

    assert error.returncode == 1
    assert sorted(p.name for p in drop.iterdir()) == ["c.xml"]
    assert sorted(p.name for p in done.iterdir()) == ["a.xml", "b.xml"]
    assert summary["files"][0]["moved_to"] == str(done / "a.xml")


def test_a_missing_folder_or_import_user_is_refused_in_words(
    importer, fake_import, tmp_path, settings
):
    with pytest.raises(CommandError, match="is not a folder"):
        call_command(
            "import_einvoices", str(tmp_path / "nowhere"), stdout=io.StringIO()
        )
    with pytest.raises(CommandError, match="No active user named 'robot'"):
        call_command(
            "import_einvoices", str(tmp_path), "--user", "robot", stdout=io.StringIO()
        )
    make_user("reader", "Auditor")
    with pytest.raises(CommandError, match="not an AP Clerk"):
        call_command(
            "import_einvoices", str(tmp_path), "--user", "reader", stdout=io.StringIO()
        )


@pytest.fixture
def drop_bucket():
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="einvoice-drop")
        yield client


def test_an_s3_prefix_is_listed_page_by_page_and_moved_within_the_bucket(
    importer, fake_import, drop_bucket, monkeypatch
):
    from einvoicing import drop_location

    monkeypatch.setattr(drop_location, "_s3_client", lambda: drop_bucket)
    for n in range(3):
        drop_bucket.put_object(
            Bucket="einvoice-drop", Key=f"in/{n}.xml", Body=f"invoice {n}".encode()
        )
    drop_bucket.put_object(Bucket="einvoice-drop", Key="in/bad.xml", Body=b"bad")
    drop_bucket.put_object(Bucket="einvoice-drop", Key="in/sub/x.xml", Body=b"x")
    drop_bucket.put_object(Bucket="einvoice-drop", Key="other/y.xml", Body=b"x")
    real_paginate = drop_bucket.get_paginator("list_objects_v2").paginate
    pages = []

    class SmallPages:
        def paginate(self, **options):
            for page in real_paginate(**options, PaginationConfig={"PageSize": 2}):
                pages.append(page)
                yield page

    monkeypatch.setattr(drop_bucket, "get_paginator", lambda name: SmallPages())

    summary, _, error = run(
        "s3://einvoice-drop/in", "--move-imported-to", "s3://einvoice-drop/done/"
    )

    assert len(pages) == 3  # four files and the sub/ prefix, two a page
    assert [f["file"] for f in summary["files"]] == [
        "0.xml",
        "1.xml",
        "2.xml",
        "bad.xml",
    ]
    assert (summary["imported"], summary["failed"]) == (3, 1)
    assert error.returncode == 1
    keys = [
        item["Key"]
        for item in drop_bucket.list_objects_v2(Bucket="einvoice-drop")["Contents"]
    ]
    assert sorted(keys) == [
        "done/0.xml", "done/1.xml", "done/2.xml", "in/bad.xml", "in/sub/x.xml",
        "other/y.xml",
    ]  # fmt: skip


def test_the_lambda_handler_reads_the_configured_drop_location(
    importer, fake_import, tmp_path, settings
):
    (tmp_path / "a.xml").write_bytes(b"invoice a")
    settings.EINVOICE_DROP_LOCATION = str(tmp_path)

    summary = lambda_handler.lambda_handler({}, None)

    assert (summary["imported"], summary["failed"]) == (1, 0)
    assert lambda_handler.lambda_handler({"path": str(tmp_path)}, None)["skipped"] == 1


# --- The real import ---------------------------------------------------------


def test_official_samples_are_imported_once_and_a_broken_one_is_refused_by_rule(
    importer, einvoice_tax_codes, make_vendor, requester, approver, tmp_path
):
    vendor = make_vendor("Koksmaat", vat_id=UBL1_SELLER_VAT_ID)
    xml, _ = ubl1_for_po(vendor=vendor, requester=requester, approver=approver)
    (tmp_path / "known.xml").write_bytes(xml)
    (tmp_path / "unknown.xml").write_bytes(sample_bytes("CII_example1.xml"))
    broken = with_total_broken(sample_bytes("ubl-tc434-example2.xml"), "ubl")
    (tmp_path / "broken.xml").write_bytes(broken)

    summary, _, error = run(str(tmp_path))

    outcomes = {f["file"]: f for f in summary["files"]}
    assert outcomes["known.xml"]["outcome"] == "imported"
    assert outcomes["unknown.xml"]["outcome"] == "inbox"
    assert outcomes["broken.xml"]["outcome"] == "failed"
    assert any(e["rule"].startswith("BR-CO-") for e in outcomes["broken.xml"]["errors"])
    assert error.returncode == 1

    again, _, _ = run(str(tmp_path))

    assert (again["imported"], again["inbox"], again["skipped"]) == (0, 0, 2)
    assert again["failed"] == 1


def test_a_dry_run_validates_and_stores_nothing(importer, einvoice_tax_codes, tmp_path):
    from einvoicing.selectors import intake_list

    (tmp_path / "a.xml").write_bytes(sample_bytes("CII_example1.xml"))

    summary, text, error = run(str(tmp_path), "--dry-run")

    assert error is None
    assert "Dry run" in text
    assert summary["files"][0]["outcome"] == "valid"
    assert intake_list(waiting_only=False).items == []
