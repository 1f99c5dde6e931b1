"""The accounting code pages: everyone with a role reads, only the Admin changes."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounting.selectors import cost_centre_get, gl_account_get, tax_code_get
from audit.selectors import audit_history
from tests.conftest import make_user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_file(text: str, name="accounts.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def test_a_clerk_reads_the_tax_codes_but_sees_no_admin_links(tax_codes, clerk):
    response = logged_in(clerk).get("/accounting/tax-codes/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Reverse charge 19% (§13b UStG)" in html and "19%" in html
    assert "Add a tax code" not in html and "Deactivate" not in html
    assert 'href="/accounting/tax-codes/"' in html  # the More menu


def test_a_non_admin_is_refused_the_forms_with_403(tax_codes, clerk):
    client = logged_in(clerk)
    for url in ("/accounting/gl-accounts/new/", "/accounting/tax-codes/V19/edit/",
                "/accounting/cost-centres/1000/active/",
                "/accounting/gl-accounts/import/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Only an Admin may change tax codes" in response.content.decode()
    response = client.post("/accounting/cost-centres/1000/active/", {"version": "1"})
    assert response.status_code == 403
    assert cost_centre_get(code="1000").active


def test_an_empty_list_says_what_to_do(dynamodb, admin_user, clerk):
    html = logged_in(admin_user).get("/accounting/cost-centres/").content.decode()
    assert "No cost centres yet. Add one, import them from a CSV file," in html
    html = logged_in(clerk).get("/accounting/gl-accounts/").content.decode()
    assert "No gl accounts yet: an Admin adds them here" in html


def test_admin_adds_a_tax_code_and_sees_it_listed(tax_codes, admin_user):
    response = logged_in(admin_user).post(
        "/accounting/tax-codes/new/",
        {"code": "v5", "name": "Input VAT 5%", "rate": "5", "category": "S",
         "gl_account": "1576", "reverse_charge_account": ""},
        follow=True,
    )  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 200
    assert "V5 Input VAT 5% (5%) added." in html
    assert tax_code_get(code="V5").gl_account == "1576"


def test_a_refused_code_shows_its_message_beside_the_field(tax_codes, admin_user):
    response = logged_in(admin_user).post(
        "/accounting/gl-accounts/new/", {"code": "49 30", "name": ""}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "GL account “49 30” is not valid" in html
    assert 'id="id_name_error"' in html


def test_a_rate_cannot_be_changed_on_the_edit_form(tax_codes, admin_user):
    client = logged_in(admin_user)
    response = client.post(
        "/accounting/tax-codes/V19/edit/",
        {"name": "Vorsteuer 19%", "rate": "20", "category": "AE",
         "gl_account": "1576", "version": "1"},
        follow=True,
    )  # fmt: skip

    assert "V19 Vorsteuer 19% (19%) saved." in response.content.decode()
    stored = tax_code_get(code="V19")
    assert (stored.name, stored.rate, stored.category) == ("Vorsteuer 19%", 19, "S")


def test_a_stale_edit_is_refused_on_the_page(tax_codes, admin_user):
    client = logged_in(admin_user)
    client.post(
        "/accounting/gl-accounts/4930/edit/", {"name": "Office", "version": "1"}
    )
    response = client.post(
        "/accounting/gl-accounts/4930/edit/", {"name": "Stationery", "version": "1"}
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert gl_account_get(code="4930").name == "Office"


def test_admin_deactivates_a_code_after_confirming(tax_codes, admin_user):
    client = logged_in(admin_user)
    page = client.get("/accounting/tax-codes/V7/active/").content.decode()
    assert "Deactivate V7 Input VAT 7% (7%)?" in page

    response = client.post(
        "/accounting/tax-codes/V7/active/", {"version": "1"}, follow=True
    )
    assert "V7 Input VAT 7% (7%) is inactive: new documents can no longer use it." in (
        response.content.decode()
    )
    assert tax_code_get(code="V7").active is False


def test_an_import_previews_then_adds_updates_and_skips(tax_codes, admin_user):
    client = logged_in(admin_user)
    text = "\ufeffcode;name;active\n4930;Office supplies;\n4200;Rent;no\n6000;IT services;\n"

    preview = client.post("/accounting/gl-accounts/import/", {"file": csv_file(text)})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "1 added, 1 updated, 1 unchanged" in html
    assert gl_account_get(code="6000") is None  # nothing saved yet

    digest = preview.context["confirm_form"].initial["digest"]
    done = client.post(
        "/accounting/gl-accounts/import/confirm/", {"digest": digest}, follow=True
    )
    assert "Import of accounts.csv: 1 added, 1 updated, 1 unchanged." in (
        done.content.decode()
    )
    assert gl_account_get(code="6000").name == "IT services"
    assert gl_account_get(code="4200").active is False
    assert len(audit_history(entity_type="gl_account", entity_id="4930").items) == 1


def test_an_import_with_a_bad_row_lists_it_and_writes_nothing(tax_codes, admin_user):
    text = "code,name\n9100,Marketing\nbad code,X\n9100,Again\n9200,Events\n"
    response = logged_in(admin_user).post(
        "/accounting/cost-centres/import/", {"file": csv_file(text)}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "3 rows of 4 have errors, so nothing is imported" in html
    assert "Rows 2, 4 of this file have the code 9100." in html
    assert "Cost centre “BAD CODE” is not valid" in html
    assert cost_centre_get(code="9100") is None
    assert cost_centre_get(code="9200") is None


def test_an_import_refuses_a_file_that_is_not_utf8_or_too_large(
    tax_codes, admin_user, settings
):
    client = logged_in(admin_user)
    latin1 = csv_file("code,name\n9100,Büro\n", encoding="latin-1")
    html = client.post("/accounting/cost-centres/import/", {"file": latin1}).content
    assert "The file is not UTF-8 text." in html.decode()
    settings.ACCOUNTING_IMPORT_MAX_BYTES = 20
    big = csv_file("code,name\n9100,Marketing and more\n")
    response = client.post("/accounting/cost-centres/import/", {"file": big})
    assert response.status_code == 422
    assert "The file is larger than 20" in response.content.decode()


def test_tax_codes_are_not_imported(tax_codes, admin_user):
    assert logged_in(admin_user).get("/accounting/tax-codes/import/").status_code == 422


def test_a_user_without_a_role_cannot_read_the_codes(tax_codes, db):
    response = logged_in(make_user("nobody2")).get("/accounting/tax-codes/")
    assert response.status_code == 403
