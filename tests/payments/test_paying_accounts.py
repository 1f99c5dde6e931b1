"""
Runs paid from the company's accounts (issue 17): each currency from the
account of that currency, with the debtor's and the creditors' structured
addresses in a pain.001 the official XSD accepts.
"""

import json
from xml.etree import ElementTree as ET

import pytest
from django.conf import settings
from django.test import Client

from core import documents
from core.errors import ValidationFailed
from payments import services
from payments.pain001 import NAMESPACE, pain001_errors
from tests.api_client import bearer, send
from tests.conftest import TODAY
from tests.treasury.accounts import (
    EUR_ACCOUNT,
    USD_ACCOUNT,
    confirmed_account,
    second_admin,
)
from treasury.services import bank_account_create, bank_account_update
from vendors.models import Vendor

NS = {"p": NAMESPACE}
ADDRESS_TAGS = ["StrtNm", "BldgNb", "PstCd", "TwnNm", "Ctry", "AdrLine"]

CH_IBAN = "CH9300762011623852957"


def with_address(vendor, **parts):
    """Give a vendor structured address parts (the vendor form's fields)."""
    vendor.update(
        actions=[
            getattr(Vendor, name).remove()
            if value is None
            else getattr(Vendor, name).set(value)
            for name, value in parts.items()
        ]
    )
    return vendor


@pytest.fixture
def accounts(admin_user):
    other = second_admin()
    return (
        confirmed_account(admin_user, other, **EUR_ACCOUNT),
        confirmed_account(admin_user, other, **USD_ACCOUNT),
    )


@pytest.fixture
def four_vendors(make_vendor, make_rate):
    """Vendors in DE, FR and CH paid in EUR, and one in the US paid in USD."""
    make_rate("USD", "0.92")
    return {
        "DE": with_address(
            make_vendor(
                "Nordwind Bürobedarf GmbH",
                iban="DE89370400440532013000",
                bic="COBADEFFXXX",
            ),
            street="Speicherstadt",
            building_number="12",
            postcode="20457",
            town="Hamburg",
            country="DE",
        ),
        "FR": with_address(
            make_vendor("Atelier Lumière SARL", iban="FR1420041010050500013M02606"),
            street="Rue des Lampes",
            building_number="8",
            postcode="69002",
            town="Lyon",
            country="FR",
        ),
        "CH": with_address(
            make_vendor("Uhrwerk Zürich AG", iban=CH_IBAN, bic="UBSWCHZH80A"),
            street="Bahnhofstrasse",
            building_number="45",
            address_line2="Postfach",
            postcode="8001",
            town="Zürich",
            country="CH",
        ),
        "US": with_address(
            make_vendor(
                "Cascade Industrial Supply Inc.",
                currency="USD",
                account_number="000123456789",
                routing_number="123000848",
            ),
            street="NW Front Ave",
            building_number="1200",
            postcode="97209",
            town="Portland",
            country="US",
        ),
    }


def exported(treasurer, approver, **build):
    run = services.payment_run_create(user=treasurer, payment_date=TODAY, **build).run
    services.payment_run_approve(run_id=run.id, user=approver)
    return services.payment_run_export(run_id=run.id, user=treasurer)


def stored_xml(run, name):
    (file,) = [f for f in run.files if f.name == name]
    with documents.document_open(key=file.key) as stored:
        xml = stored.read()
    assert pain001_errors(xml) == []
    return ET.fromstring(xml)


def address_of(party):
    """The `PstlAdr` elements of a party, in document order, as (tag, text)."""
    node = party.find("p:PstlAdr", NS)
    return [(child.tag.split("}")[1], child.text) for child in node]


def transfers_by_name(root):
    return {
        tx.find("p:Cdtr/p:Nm", NS).text: tx
        for tx in root.findall(".//p:CdtTrfTxInf", NS)
    }


def test_each_currency_is_paid_from_its_account_with_structured_addresses(
    treasurer, approver, accounts, four_vendors, matched_invoice
):
    eur_account, usd_account = accounts
    for vendor in four_vendors.values():
        matched_invoice(vendor, "100.00")

    run = exported(treasurer, approver)

    eur = stored_xml(run, "pain001-EUR.xml")
    info = eur.find(".//p:PmtInf", NS)
    assert info.find("p:PmtTpInf/p:SvcLvl/p:Cd", NS).text == "SEPA"
    assert info.find("p:DbtrAcct/p:Id/p:IBAN", NS).text == EUR_ACCOUNT["iban"]
    assert info.find("p:DbtrAgt/p:FinInstnId/p:BICFI", NS).text == "BYLADEM1001"
    assert info.find("p:Dbtr/p:Nm", NS).text == settings.PAYER_NAME
    # SEPA's character set: "ß" is spelled "ss".
    assert address_of(info.find("p:Dbtr", NS)) == [
        ("StrtNm", "Friedrichstrasse"),
        ("BldgNb", "123"),
        ("PstCd", "10117"),
        ("TwnNm", "Berlin"),
        ("Ctry", "DE"),
    ]
    creditors = transfers_by_name(eur)
    assert set(creditors) == {
        "Nordwind Burobedarf GmbH",
        "Atelier Lumiere SARL",
        "Uhrwerk Zurich AG",
    }
    assert address_of(creditors["Nordwind Burobedarf GmbH"].find("p:Cdtr", NS)) == [
        ("StrtNm", "Speicherstadt"),
        ("BldgNb", "12"),
        ("PstCd", "20457"),
        ("TwnNm", "Hamburg"),
        ("Ctry", "DE"),
    ]
    assert address_of(creditors["Atelier Lumiere SARL"].find("p:Cdtr", NS))[-2:] == [
        ("TwnNm", "Lyon"),
        ("Ctry", "FR"),
    ]
    # A hybrid address: the second line beside the structured parts.
    assert address_of(creditors["Uhrwerk Zurich AG"].find("p:Cdtr", NS)) == [
        ("StrtNm", "Bahnhofstrasse"),
        ("BldgNb", "45"),
        ("PstCd", "8001"),
        ("TwnNm", "Zurich"),
        ("Ctry", "CH"),
        ("AdrLine", "Postfach"),
    ]
    assert (
        creditors["Uhrwerk Zurich AG"].find("p:CdtrAcct/p:Id/p:IBAN", NS).text
        == CH_IBAN
    )

    usd = stored_xml(run, "pain001-USD.xml")
    info = usd.find(".//p:PmtInf", NS)
    assert info.find("p:PmtTpInf", NS) is None  # not SEPA
    assert info.find("p:DbtrAcct/p:Id/p:Othr/p:Id", NS).text == "4820150937"
    assert info.find("p:DbtrAcct/p:Id/p:IBAN", NS) is None
    agent = info.find("p:DbtrAgt/p:FinInstnId", NS)
    assert agent.find("p:BICFI", NS).text == "BOFAUS3N"
    assert agent.find("p:ClrSysMmbId/p:ClrSysId/p:Cd", NS).text == "USABA"
    assert agent.find("p:ClrSysMmbId/p:MmbId", NS).text == "026009593"
    assert address_of(info.find("p:Dbtr", NS)) == [
        ("StrtNm", "Park Avenue"),
        ("BldgNb", "270"),
        ("PstCd", "10017"),
        ("TwnNm", "New York"),
        ("Ctry", "US"),
        ("AdrLine", "Floor 12"),
    ]
    (cascade,) = usd.findall(".//p:CdtTrfTxInf", NS)
    assert cascade.find("p:Amt/p:InstdAmt", NS).attrib == {"Ccy": "USD"}
    assert address_of(cascade.find("p:Cdtr", NS)) == [
        ("StrtNm", "NW Front Ave"),
        ("BldgNb", "1200"),
        ("PstCd", "97209"),
        ("TwnNm", "Portland"),
        ("Ctry", "US"),
    ]

    files = {f.name: f for f in run.files}
    assert files["pain001-EUR.xml"].paying_account_id == eur_account.id
    assert files["pain001-USD.xml"].paying_account_id == usd_account.id
    assert files["pain001-EUR.xml"].execution_date == TODAY.isoformat()
    assert {p.currency: p.paying_account_id for p in run.payments} == {
        "EUR": eur_account.id,
        "USD": usd_account.id,
    }
    with documents.document_open(key=files["summary.json"].key) as stored:
        summary = json.load(stored)
    cascade_row = next(p for p in summary["payments"] if p["currency"] == "USD")
    assert cascade_row["paying_account"]["name"] == "Operating account USD"
    assert cascade_row["address"]["town"] == "Portland"


def test_a_currency_without_a_usable_account_is_refused_by_name(
    treasurer, admin_user, four_vendors, matched_invoice
):
    confirmed_account(admin_user, second_admin(), **EUR_ACCOUNT)
    matched_invoice(four_vendors["US"], "100.00")

    with pytest.raises(ValidationFailed) as refused:
        services.payment_run_create(user=treasurer, payment_date=TODAY)

    assert "No usable USD paying account: Admin adds one under Treasury" in str(
        refused.value
    )


def test_an_account_awaiting_confirmation_pays_nothing(
    treasurer, admin_user, four_vendors, matched_invoice
):
    bank_account_create(user=admin_user, fields=EUR_ACCOUNT)
    matched_invoice(four_vendors["DE"], "100.00")

    with pytest.raises(ValidationFailed) as refused:
        services.payment_run_create(user=treasurer, payment_date=TODAY)

    assert (
        "No usable EUR paying account: Operating account EUR awaits another "
        "Admin's confirmation" in str(refused.value)
    )


def test_a_creditor_needing_an_address_without_one_is_refused_by_name(
    treasurer, accounts, four_vendors, matched_invoice
):
    with_address(four_vendors["US"], town=None)
    with_address(four_vendors["CH"], country=None)
    # A SEPA transfer within the EEA needs no address.
    with_address(four_vendors["FR"], town=None, country=None)
    for vendor in four_vendors.values():
        matched_invoice(vendor, "100.00")

    with pytest.raises(ValidationFailed) as refused:
        services.payment_run_create(user=treasurer, payment_date=TODAY)

    message = str(refused.value)
    assert (
        "Cascade Industrial Supply Inc. (US) has no town and country in its "
        "address; a bank refuses a USD transfer without them. Add them on the "
        "vendor's page" in message
    )
    assert (
        "Uhrwerk Zürich AG (CH) has no town and country in its address; a bank "
        "refuses a transfer to an account outside the EEA (CH)" in message
    )
    assert "Atelier" not in message


def test_a_run_built_before_paying_accounts_exports_as_before(
    treasurer, approver, admin_user, three_vendors, matched_invoice
):
    acme, _, globex = three_vendors
    matched_invoice(acme, "100.00")
    matched_invoice(globex, "50.00")
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    assert [p.paying_account_id for p in run.payments] == [None, None]
    # Accounts added afterwards change nothing in the run built before.
    confirmed_account(admin_user, second_admin(), **EUR_ACCOUNT)
    services.payment_run_approve(run_id=run.id, user=approver)
    run = services.payment_run_export(run_id=run.id, user=treasurer)

    for name in ("pain001-EUR.xml", "pain001-USD.xml"):
        root = stored_xml(run, name)
        info = root.find(".//p:PmtInf", NS)
        assert info.find("p:DbtrAcct/p:Id/p:IBAN", NS).text == settings.PAYER_IBAN
        assert root.find(".//p:PstlAdr", NS) is None
    assert [f.paying_account_id for f in run.files] == [None, None, None]
    with documents.document_open(key=run.files[-1].key) as stored:
        summary = json.load(stored)
    assert "paying_account" not in summary["payments"][0]


def test_an_account_changed_after_the_build_stops_the_export(
    treasurer, approver, admin_user, accounts, four_vendors, matched_invoice
):
    eur_account, _ = accounts
    matched_invoice(four_vendors["DE"], "100.00")
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    services.payment_run_approve(run_id=run.id, user=approver)
    bank_account_update(
        user=admin_user,
        account_id=eur_account.id,
        changes={"iban": "DE75512108001245126199", "bic": None},
        version=eur_account.version,
    )

    with pytest.raises(ValidationFailed) as refused:
        services.payment_run_export(run_id=run.id, user=treasurer)

    assert (
        "its paying account Operating account EUR awaits another Admin's "
        "confirmation" in str(refused.value)
    )


def test_the_run_json_names_each_payments_account_and_each_files_date(
    treasurer, approver, accounts, four_vendors, matched_invoice
):
    eur_account, usd_account = accounts
    matched_invoice(four_vendors["DE"], "100.00")
    matched_invoice(four_vendors["US"], "100.00")
    run = exported(treasurer, approver)
    client = Client()
    client.force_login(treasurer)

    body = client.get(f"/api/v1/payment-runs/{run.id}").json()

    shown = {p["currency"]: p["paying_account"] for p in body["payments"]}
    assert shown["USD"] == {
        "id": usd_account.id,
        "name": "Operating account USD",
        "currency": "USD",
        "number": "••••••0937",
    }
    assert shown["EUR"]["number"].endswith("2051")
    dates = {f["name"]: f["execution_date"] for f in body["files"]}
    assert dates["pain001-USD.xml"] == TODAY.isoformat()
    assert dates["summary.json"] is None
    paying = {f["name"]: f["paying_account"] for f in body["files"]}
    assert paying["pain001-EUR.xml"]["id"] == eur_account.id


def test_the_run_page_shows_each_files_paying_account_and_execution_date(
    treasurer, approver, accounts, four_vendors, matched_invoice
):
    matched_invoice(four_vendors["DE"], "100.00")
    matched_invoice(four_vendors["US"], "100.00")
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    client = Client()
    client.force_login(treasurer)

    draft = client.get(f"/payment-runs/{run.id}/").content.decode()
    assert "USD paid from" in draft and "Operating account USD, ••••••0937" in draft

    services.payment_run_approve(run_id=run.id, user=approver)
    services.payment_run_export(run_id=run.id, user=treasurer)
    page = client.get(f"/payment-runs/{run.id}/").content.decode()

    assert (
        f"Paid from Operating account EUR, ••••••••••••••••••2051 · executes {TODAY}"
        in page
    )
    assert f"Paid from Operating account USD, ••••••0937 · executes {TODAY}" in page


def test_the_api_refuses_a_build_without_a_usd_account_with_422(
    treasurer, admin_user, four_vendors, matched_invoice
):
    confirmed_account(admin_user, second_admin(), **EUR_ACCOUNT)
    matched_invoice(four_vendors["US"], "100.00")

    answer = send(
        "post",
        "/api/v1/payment-runs",
        {"payment_date": TODAY.isoformat()},
        bearer(treasurer),
    )

    assert answer.status_code == 422
    assert "No usable USD paying account" in answer.json()["detail"]
