"""The sparse tax-id index: duplicate tax ids are found by a query, not a scan."""

from io import StringIO

from django.core.management import call_command

from vendors.models import VendorTaxIdKey
from vendors.selectors import vendor_get, vendors_by_tax_id_key
from vendors.services import vendor_create, vendor_update


def found(tax_id_key: str) -> list[str]:
    return [v.id for v in vendors_by_tax_id_key(keys=[tax_id_key])[tax_id_key]]


def test_a_vendor_is_found_by_its_tax_id_however_it_is_written(vendor):
    assert vendor.tax_id == "DE123456789"
    assert found("de123456789") == [vendor.id]
    assert found("de999") == []


def test_changing_or_clearing_the_tax_id_moves_the_vendor_in_the_index(clerk, vendor):
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"tax_id": "FR 403 032"})
    assert found("de123456789") == []
    assert found("fr403032") == [vendor.id]

    vendor_update(vendor_id=vendor.id, user=clerk, changes={"tax_id": ""})
    assert found("fr403032") == []


def test_vendors_without_a_tax_id_stay_out_of_the_index(clerk, vendor_fields):
    vendor_create(user=clerk, fields={**vendor_fields, "tax_id": None})
    assert vendors_by_tax_id_key(keys=[]) == {}


def test_command_adds_the_key_to_vendors_stored_before_the_index(vendor):
    # A vendor written before the index existed has a tax id but no key.
    with_key = VendorTaxIdKey.get(vendor.id)
    with_key.update(actions=[VendorTaxIdKey.tax_id_key.remove()])
    assert found("de123456789") == []

    out = StringIO()
    call_command("index_vendor_tax_ids", "--dry-run", stdout=out)
    assert "1 vendor(s) would get their tax-id index key." in out.getvalue()
    assert found("de123456789") == []

    call_command("index_vendor_tax_ids", stdout=out)
    assert "1 vendor(s) got their tax-id index key." in out.getvalue()
    assert found("de123456789") == [vendor.id]
    # Not an edit: an open vendor form is not made stale.
    assert vendor_get(vendor_id=vendor.id).version == vendor.version

    call_command("index_vendor_tax_ids", stdout=out)
    assert "0 vendor(s) got their tax-id index key." in out.getvalue()
