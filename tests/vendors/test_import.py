"""
Importing vendors from a CSV file: upload, a preview of every row with its
problems, then "Import the N valid rows", each through vendor_create.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from audit.selectors import audit_history
from core.errors import PermissionDenied, ValidationFailed
from tests.conftest import ACME_TAX_ID, make_user
from vendors.imports import check_vendor_rows, read_vendor_csv
from vendors.selectors import vendor_list
from vendors.services import vendor_create, vendors_import

GOOD_IBAN = "DE89370400440532013000"
BAD_IBAN = "DE89370400440532013001"

HEADER = "name,email,tax_id,iban,payment_terms,status"
GOOD_FILE = "\n".join(
    [
        HEADER,
        f"Alpha GmbH,ap@alpha.example,DE111111111,{GOOD_IBAN},Net 30,active",
        "Beta SARL,not-an-email,FR222,,Net 30,",
        f"Gamma Ltd,ap@gamma.example,GB333,{BAD_IBAN},,",
        "Delta BV,ap@delta.example,NL444,,Net 30,",
        "Delta Twin BV,ap@twin.example,nl-444,,Net 30,",
        "Epsilon AB,ap@epsilon.example,DE 123 456 789,,Net 30,",
        "Zeta Inc,ap@zeta.example,,,Net 30,pending",
        ",ap@noname.example,,,Net 30,",
        "Eta Oy,ap@eta.example,,,Net 4O,",
    ]
)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, text: str | bytes, name: str = "vendors.csv"):
    content = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse("vendors:import"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def preview_rows(html: str) -> dict[str, str]:
    """Each preview row's number mapped to its text (cells joined by |)."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
        cells = [
            re.sub(r"<[^>]+>", " ", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        ]
        rows[cells[0]] = " | ".join(cells[1:])
    return rows


def confirm(client, html: str):
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', html).group(1)
    return client.post(reverse("vendors:import-confirm"), {"digest": digest})


@pytest.fixture
def stored_vendor(clerk, vendor_fields):
    """A vendor already on file with tax id DE123456789."""
    return vendor_create(user=clerk, fields={**vendor_fields, "tax_id": ACME_TAX_ID})


def test_preview_shows_each_row_with_its_problems_and_saves_nothing(
    clerk, stored_vendor
):
    response = upload(logged_in(clerk), GOOD_FILE)

    assert response.status_code == 200
    html = response.content.decode()
    rows = preview_rows(html)
    assert list(rows) == [str(n) for n in range(2, 11)]
    assert rows["2"].endswith("Ready to import")
    assert "E-mail: Enter a valid e-mail address" in rows["3"]
    assert "IBAN: The IBAN&#x27;s check digits do not match" in rows["4"]
    assert "Rows 5, 6 of this file have the same tax id." in rows["5"]
    assert "Rows 5, 6 of this file have the same tax id." in rows["6"]
    assert "Vendor “Acme Supplies GmbH” already has this tax id." in rows["7"]
    assert rows["8"].endswith("Ready to import")
    assert "Name: A vendor needs a name." in rows["9"]
    assert "Payment terms:" in rows["10"]
    assert "9 rows read: <strong>2 ready to import</strong>, 7 with errors" in html
    assert "Import the 2 valid rows" in html
    assert [v.id for v in vendor_list().items] == [stored_vendor.id]


def test_import_creates_only_the_valid_rows_each_with_its_audit_entry(
    clerk, stored_vendor
):
    client = logged_in(clerk)
    preview = upload(client, GOOD_FILE).content.decode()

    response = confirm(client, preview)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Imported 2 vendors." in html
    assert "1 of them has bank details that another AP clerk must confirm" in html
    assert "7 rows could not be imported" in html
    created = {v.name: v for v in vendor_list().items if v.id != stored_vendor.id}
    assert set(created) == {"Alpha GmbH", "Zeta Inc"}
    alpha = created["Alpha GmbH"]
    assert alpha.status == "active" and alpha.iban == GOOD_IBAN
    assert alpha.bank_details_awaiting_confirmation
    assert created["Zeta Inc"].payment_terms == "Net 30"
    for vendor in created.values():
        (entry,) = audit_history(entity_type="vendor", entity_id=vendor.id).items
        assert entry.action == "CREATE" and entry.user_id == "clerk"
        assert entry.details["source"].startswith("CSV import of vendors.csv, row ")


def test_a_row_that_became_a_duplicate_after_the_preview_is_not_imported(clerk):
    client = logged_in(clerk)
    preview = upload(
        client,
        "name,email,tax_id\nOne,a@one.example,AT-1\nTwo,a@two.example,AT-2\n",
    ).content.decode()
    assert "Import the 2 valid rows" in preview
    vendor_create(
        user=make_user("clerk3", "AP Clerk"),
        fields={"name": "Meanwhile", "email": "x@y.example", "tax_id": "AT 2"},
    )

    html = confirm(client, preview).content.decode()

    assert "Imported 1 vendor." in html
    assert "Vendor “Meanwhile” already has this tax id." in preview_rows(html)["3"]
    assert sorted(v.name for v in vendor_list().items) == ["Meanwhile", "One"]


def test_the_same_preview_cannot_be_imported_twice(clerk):
    client = logged_in(clerk)
    preview = upload(client, "name,email\nOnce,a@once.example\n").content.decode()
    confirm(client, preview)

    response = confirm(client, preview)

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "That preview is no longer current" in page
    assert [v.name for v in vendor_list().items] == ["Once"]


def test_confirming_an_older_preview_after_another_upload_imports_nothing(clerk):
    client = logged_in(clerk)
    first = upload(client, "name,email\nFirst,a@first.example\n").content.decode()
    upload(client, "name,email\nSecond,a@second.example\n")

    response = confirm(client, first)

    assert response.status_code == 302
    assert vendor_list().items == []


def test_semicolons_and_a_byte_order_mark_are_understood(clerk):
    text = "\ufeffName;E-Mail;Tax ID\r\nMüller & Söhne;buchhaltung@mueller.example;DE 1\r\n"
    text = text.replace("E-Mail", "email").replace("Tax ID", "tax_id")
    rows = preview_rows(upload(logged_in(clerk), text).content.decode())
    assert rows["2"].startswith("Müller &amp; Söhne | buchhaltung@mueller.example")
    assert rows["2"].endswith("Ready to import")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "name,email,fax,Colour\nA,a@a.example,1,red\n",
            "Unknown columns in the header row: fax, colour. A vendor file may "
            "have these columns: name, email, phone,",
        ),
        ("name,phone\nA,1\n", "The header row needs the column email."),
        ("name,email,name\nA,a@a.example,B\n", "appear more than once: name."),
        ("name,email\n", "The file has a header row but no vendors."),
        ("", "The submitted file is empty."),
        ("\n \n", "The file is empty."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_clear_message(
    clerk, text, message
):
    response = upload(logged_in(clerk), text)
    assert response.status_code == 422
    assert message in response.content.decode().replace("&#x27;", "'")
    assert "Import the" not in response.content.decode()


def test_a_file_that_is_not_utf8_is_refused(clerk):
    response = upload(
        logged_in(clerk), "name,email\nMüller,a@b.example\n".encode("cp1252")
    )
    assert response.status_code == 422
    assert "The file is not UTF-8 text." in response.content.decode()


def test_files_over_the_size_or_row_limit_are_refused(clerk, settings):
    client = logged_in(clerk)
    settings.VENDOR_IMPORT_MAX_ROWS = 2
    rows = "".join(f"V{n},v{n}@x.example\n" for n in range(3))
    response = upload(client, "name,email\n" + rows)
    assert response.status_code == 422
    assert "The file has more than 2 vendors" in response.content.decode()

    settings.VENDOR_IMPORT_MAX_BYTES = 1024
    response = upload(client, "name,email\n" + "A,a@b.example\n" * 100)
    assert response.status_code == 422
    assert "The file is larger than 1.0\xa0KB" in response.content.decode()


def test_a_row_with_more_cells_than_the_header_is_flagged():
    rows = read_vendor_csv(
        b"name,email\nA,a@a.example,extra\nB,b@b.example",
        max_bytes=1000,
        max_rows=10,
    )
    rows = check_vendor_rows(rows, existing_tax_ids=lambda keys: {})
    assert rows[0].error_list == [
        (
            "",
            "This row has 3 cells but the header names 2 columns: "
            "check for a stray delimiter.",
        )
    ]
    assert rows[1].valid


def test_a_suspended_status_is_refused_for_a_new_vendor():
    rows = read_vendor_csv(
        b"name,email,status\nA,a@a.example,Suspended\n", max_bytes=1000, max_rows=10
    )
    (row,) = check_vendor_rows(rows, existing_tax_ids=lambda keys: {})
    assert row.errors == {"status": "A new vendor starts as pending or active."}


def test_script_in_a_cell_is_shown_as_text(clerk):
    html = upload(
        logged_in(clerk), 'name,email\n"<script>alert(1)</script>",bad\n'
    ).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_only_ap_clerks_may_import(requester, auditor, clerk):
    for user in (requester, auditor):
        client = logged_in(user)
        assert client.get(reverse("vendors:import")).status_code == 403
        assert upload(client, "name,email\nA,a@a.example\n").status_code == 403
        response = client.post(reverse("vendors:import-confirm"), {"digest": "0" * 64})
        assert response.status_code == 403
        with pytest.raises(PermissionDenied):
            vendors_import(
                user=user, content=b"name,email\nA,a@a.example\n", filename="x"
            )
    assert vendor_list().items == []
    assert (
        "Import vendors from CSV"
        in logged_in(clerk).get(reverse("vendors:list")).content.decode()
    )
    assert (
        "Import vendors from CSV"
        not in logged_in(auditor).get(reverse("vendors:list")).content.decode()
    )


def test_the_service_refuses_an_unreadable_file_before_writing(clerk):
    with pytest.raises(ValidationFailed, match="Unknown column"):
        vendors_import(user=clerk, content=b"nom,email\nA,a@a.example\n", filename="x")
    assert vendor_list().items == []


@pytest.mark.parametrize("char", ["\uffff", "\ufffe", "\x01"])
def test_a_name_with_a_non_character_is_flagged_and_not_imported(char):
    content = f"name,email\nAcme{char}Supplies,a@a.example\nB,b@b.example".encode()
    rows = read_vendor_csv(content, max_bytes=1000, max_rows=10)

    rows = check_vendor_rows(rows, existing_tax_ids=lambda keys: {})

    assert f"U+{ord(char):04X}" in rows[0].errors["name"]
    assert not rows[0].valid
    assert rows[1].valid
