"""POST /api/v1/bank-statements and manage.py import_bank_statement, as a client would."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from payments.selectors import bank_statement_get
from tests.api_client import bearer
from tests.payments import bank_files as files

URL = "/api/v1/bank-statements"


def rejection(run) -> bytes:
    return files.pain002(
        original_message_id=run.pain001.message_id,
        transactions=[(run.payment("bureau").id, "RJCT", "AC04", "Account closed")],
    )


def post(content, user, name="status.xml"):
    upload = io.BytesIO(content)
    upload.name = name
    return Client().post(URL, {"file": upload}, **bearer(user))


def test_importing_answers_201_then_200_for_the_same_file(exported_run, treasurer):
    content = rejection(exported_run)

    created = post(content, treasurer)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body == {
        "id": body["id"],
        "message_type": "pain.002",
        "entries": 1,
        "confirmed": 0,
        "returned": 1,
        "unmatched": 0,
        "already_imported": False,
    }
    assert bank_statement_get(statement_id=body["id"]).source == "api"

    again = post(content, treasurer)
    assert again.status_code == 200
    assert again.json() == {
        "id": body["id"],
        "message_type": "pain.002",
        "entries": 0,
        "confirmed": 0,
        "returned": 0,
        "unmatched": 0,
        "already_imported": True,
    }


def test_an_invalid_file_answers_422_with_the_reason(treasurer, media):
    response = post(b"<?xml version='1.0'?><Document/>", treasurer)

    assert response.status_code == 422
    assert response.json()["detail"] == (
        "This is not a pain.002, camt.054 or camt.053 file: it has no namespace."
    )


def test_a_request_without_file_answers_422(treasurer, media):
    response = Client().post(URL, {}, **bearer(treasurer))

    assert response.status_code == 422


def test_only_treasurers_import(exported_run, clerk):
    response = post(rejection(exported_run), clerk)

    assert response.status_code == 403
    assert exported_run.statuses("bureau") == ["scheduled"]


def test_the_openapi_document_describes_the_import(treasurer):
    schema = Client().get("/api/v1/openapi.json", **bearer(treasurer)).json()
    operation = schema["paths"]["/api/v1/bank-statements"]["post"]

    assert {"201", "200"} <= set(operation["responses"])
    assert "multipart/form-data" in operation["requestBody"]["content"]


def test_the_command_imports_a_file_as_the_bank_statement_user(exported_run, tmp_path):
    path = tmp_path / "psr.xml"
    path.write_bytes(rejection(exported_run))
    out = io.StringIO()

    call_command("import_bank_statement", str(path), stdout=out)

    assert "1 entry, 0 booked, 1 returned, 0 unmatched." in out.getvalue()
    assert exported_run.statuses("bureau") == ["matched"]
    assert exported_run.payment("bureau").bank_status == "rejected"
    again = io.StringIO()
    call_command("import_bank_statement", str(path), stdout=again)
    assert "was already imported" in again.getvalue()


def test_the_command_dry_run_changes_nothing(exported_run, tmp_path):
    path = tmp_path / "psr.xml"
    path.write_bytes(rejection(exported_run))
    out = io.StringIO()

    call_command("import_bank_statement", str(path), "--dry-run", stdout=out)

    assert "Dry run: nothing was stored or changed." in out.getvalue()
    assert "1 returned" in out.getvalue()
    assert exported_run.statuses("bureau") == ["scheduled"]


def test_the_command_refuses_an_invalid_or_missing_file(tmp_path, media):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"not xml")
    with pytest.raises(CommandError, match="The file is not XML"):
        call_command("import_bank_statement", str(bad))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_bank_statement", str(tmp_path / "missing.xml"))
