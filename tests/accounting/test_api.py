"""GET /api/v1/tax-codes, /gl-accounts, /cost-centres: any role reads them."""

from django.test import Client

from accounting.services import accounting_code_update
from tests.api_client import bearer
from tests.conftest import make_user


def get(url, user):
    return Client().get(url, **bearer(user))


def test_a_clerk_lists_the_tax_codes_with_exact_rates(tax_codes, clerk):
    response = get("/api/v1/tax-codes", clerk)

    assert response.status_code == 200
    codes = {code["code"]: code for code in response.json()}
    assert codes["V19"] == {
        "code": "V19",
        "name": "Input VAT 19%",
        "active": True,
        "rate": "19",
        "category": "S",
        "gl_account": "1576",
        "reverse_charge_account": None,
    }
    assert codes["RC19"]["reverse_charge_account"] == "1787"


def test_the_active_filter_leaves_out_inactive_codes(tax_codes, admin_user, auditor):
    accounting_code_update(
        user=admin_user, kind="cost_centre", code="4200", changes={"active": False},
        version=1,
    )  # fmt: skip

    every = get("/api/v1/cost-centres", auditor).json()
    active = get("/api/v1/cost-centres?active=true", auditor).json()

    assert [c["code"] for c in every] == ["1000", "2000", "4100", "4200"]
    assert [c["code"] for c in active] == ["1000", "2000", "4100"]
    assert every[-1] == {"code": "4200", "name": "Warehouse", "active": False}


def test_gl_accounts_are_listed_in_code_order(tax_codes, requester):
    accounts = get("/api/v1/gl-accounts", requester).json()
    assert accounts[0] == {"code": "1200", "name": "Bank EUR", "active": True}
    assert [a["code"] for a in accounts] == sorted(a["code"] for a in accounts)


def test_an_unknown_filter_or_a_user_without_a_role_is_refused(tax_codes, clerk, db):
    assert get("/api/v1/tax-codes?status=active", clerk).status_code == 422
    assert get("/api/v1/tax-codes", make_user("norole")).status_code == 403
    assert Client().get("/api/v1/tax-codes").status_code == 401


def test_the_code_lists_are_in_the_openapi_document(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/tax-codes", "/api/v1/gl-accounts", "/api/v1/cost-centres"} <= set(
        paths
    )
