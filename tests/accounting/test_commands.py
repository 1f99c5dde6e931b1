"""manage.py seed_accounting_defaults."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounting.selectors import tax_code_get, tax_code_list
from audit.selectors import audit_history


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_accounting_defaults", *args, stdout=out)
    return out.getvalue()


def test_the_command_installs_the_profile_once(dynamodb, settings):
    settings.TAX_PROFILE = "DE"
    first = seed()
    assert first.startswith("Installed the DE defaults: ")
    assert tax_code_get(code="RC19").category == "AE"
    (entry,) = audit_history(entity_type="tax_code", entity_id="V19").items
    assert entry.user_id == "accounting_setup"
    assert (
        seed()
        == "Installed the DE defaults: 0 code(s) added; every one was already there.\n"
    )


def test_the_us_profile_by_option(dynamodb):
    assert "US defaults" in seed("--profile", "us")
    assert {c.code for c in tax_code_list()} == {"NOTAX", "SALES", "USE"}


def test_an_unknown_profile_is_refused(dynamodb):
    with pytest.raises(CommandError, match="invalid choice: 'FR'"):
        seed("--profile", "FR")


@pytest.mark.django_db
def test_the_demo_seed_installs_the_codes_and_codes_its_vendors(dynamodb, settings):
    from vendors.selectors import vendor_list

    settings.TAX_PROFILE = "DE"
    call_command("seed_demo", "--password", "first-pass-123", stdout=StringIO())

    assert tax_code_get(code="RC19") is not None
    vendors = {v.name: v for v in vendor_list(limit=10).items}
    nordwind = vendors["Nordwind Bürobedarf GmbH"]
    assert (nordwind.vat_id, nordwind.tax_country, nordwind.default_tax_code) == (
        "DE136695976", "DE", "V19",
    )  # fmt: skip
    lumiere = vendors["Atelier Lumière SARL"]
    assert (lumiere.vat_id, lumiere.tax_country, lumiere.default_tax_code) == (
        "FR40303265045", "FR", "RC19",
    )  # fmt: skip
    assert vendors["Greenleaf Catering Ltd"].vat_id is None
