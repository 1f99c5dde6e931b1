from decimal import Decimal

from accounting.selectors import gl_account_get, tax_code_get, tax_code_list
from accounting.services import accounting_defaults_install
from audit.selectors import audit_history


def test_the_german_defaults_are_installed_once_each_audited(tax_codes, admin_user):
    v19 = tax_code_get(code="V19")
    assert (v19.rate, v19.category, v19.gl_account) == (Decimal("19"), "S", "1576")
    assert tax_code_get(code="RC19").reverse_charge_account == "1787"
    assert gl_account_get(code="1600").name == "Trade payables (AP control)"
    assert accounting_defaults_install(user=admin_user, profile="DE") == 0
    assert len(audit_history(entity_type="tax_code", entity_id="V19").items) == 1


def test_the_us_profile_has_no_vat_and_a_sales_tax(dynamodb, admin_user):
    accounting_defaults_install(user=admin_user, profile="US")
    codes = {code.code: code for code in tax_code_list()}
    assert codes["NOTAX"].rate == 0
    assert codes["SALES"].rate == Decimal("8.875")
    assert "V19" not in codes
