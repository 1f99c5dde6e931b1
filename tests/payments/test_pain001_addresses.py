"""Structured addresses in pain.001 and when a transfer needs one, pure (issue 17)."""

import datetime as dt
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest

from core.addresses import PostalAddress
from payments.addressing import EEA_COUNTRIES, address_required, address_requirement
from payments.pain001 import (
    NAMESPACE,
    CreditTransfer,
    PaymentFile,
    pain001_errors,
    pain001_xml,
)

NS = {"p": NAMESPACE}


def document(transfer: CreditTransfer, **fields) -> ET.Element:
    payment_file = PaymentFile(
        **{
            "message_id": "PR-1-EUR-a",
            "created_at": dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC),
            "initiating_party": "Demo Company GmbH",
            "payment_info_id": "PR-1-EUR",
            "execution_date": dt.date(2026, 12, 3),
            "currency": "EUR",
            "debtor_name": "Demo Company GmbH",
            "debtor_iban": "DE02120300000000202051",
            "debtor_bic": "BYLADEM1001",
            "transfers": (transfer,),
            **fields,
        }
    )
    xml = pain001_xml(payment_file)
    assert pain001_errors(xml) == []
    return ET.fromstring(xml)


def creditor(**fields) -> CreditTransfer:
    return CreditTransfer(
        **{
            "end_to_end_id": "e2e-1",
            "amount": Decimal("10.00"),
            "creditor_name": "Acme",
            "invoice_numbers": ("INV-1",),
            "iban": "FR1420041010050500013M02606",
            **fields,
        }
    )


def tags(node) -> list[str]:
    return [child.tag.split("}")[1] for child in node]


def test_only_the_parts_present_are_written_in_the_schemas_order():
    root = document(
        creditor(
            creditor_address=PostalAddress(
                town="Lyon", country="FR", address_line2="Bâtiment C"
            )
        )
    )
    address = root.find(".//p:Cdtr/p:PstlAdr", NS)
    assert tags(address) == ["TwnNm", "Ctry", "AdrLine"]
    assert address.find("p:AdrLine", NS).text == "Batiment C"  # SEPA characters


def test_an_address_without_town_and_country_is_not_written_as_lines_alone():
    root = document(
        creditor(creditor_address=PostalAddress(street="Rue X", address_line2="Y"))
    )
    assert root.find(".//p:Cdtr/p:PstlAdr", NS) is None


def test_a_non_sepa_file_keeps_the_addresss_own_letters():
    root = document(
        creditor(
            iban=None,
            account_number="000123456789",
            aba_routing_number="123000848",
            creditor_address=PostalAddress(town="São Paulo", country="BR"),
        ),
        currency="USD",
        debtor_iban=None,
        debtor_bic=None,
        debtor_account_number="4820150937",
        debtor_aba_routing_number="026009593",
        debtor_address=PostalAddress(town="New York", country="US"),
    )
    assert root.find(".//p:Cdtr/p:PstlAdr/p:TwnNm", NS).text == "São Paulo"
    info = root.find(".//p:PmtInf", NS)
    assert tags(info.find("p:Dbtr", NS)) == ["Nm", "PstlAdr"]
    assert info.find("p:DbtrAcct/p:Id/p:Othr/p:Id", NS).text == "4820150937"
    agent = info.find("p:DbtrAgt/p:FinInstnId", NS)
    assert tags(agent) == ["ClrSysMmbId"]
    assert agent.find("p:ClrSysMmbId/p:MmbId", NS).text == "026009593"


def test_long_parts_are_cut_to_what_the_schema_allows():
    root = document(
        creditor(
            creditor_address=PostalAddress(
                street="S" * 90, town="T" * 50, postcode="1" * 20, country="FR"
            )
        )
    )
    address = root.find(".//p:Cdtr/p:PstlAdr", NS)
    assert len(address.find("p:StrtNm", NS).text) == 70
    assert len(address.find("p:TwnNm", NS).text) == 35
    assert len(address.find("p:PstCd", NS).text) == 16


@pytest.mark.parametrize(
    "currency, iban, country, needed",
    [
        ("EUR", "DE89370400440532013000", "DE", None),
        ("EUR", "FR1420041010050500013M02606", None, None),
        ("EUR", "CH9300762011623852957", "CH", "an account outside the EEA (CH)"),
        ("EUR", "DE89370400440532013000", "GB", "a creditor outside the EEA (GB)"),
        ("EUR", None, "US", "a transfer without an IBAN"),
        ("USD", None, "US", "a USD transfer"),
        ("GBP", "GB29NWBK60161331926819", "GB", "a GBP transfer"),
        ("EUR", "NO9386011117947", "NO", None),
    ],
)
def test_which_transfers_need_the_creditors_address(currency, iban, country, needed):
    requirement = address_requirement(currency=currency, iban=iban, country=country)
    assert address_required(currency=currency, iban=iban, country=country) is bool(
        needed
    )
    if needed:
        assert needed in requirement
    else:
        assert requirement is None


def test_the_eea_is_the_eu_and_iceland_liechtenstein_norway():
    assert len(EEA_COUNTRIES) == 30
    assert {"IS", "LI", "NO"} <= EEA_COUNTRIES
    assert not {"CH", "GB", "MC", "SM", "US"} & EEA_COUNTRIES
