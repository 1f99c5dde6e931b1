import datetime as dt
from decimal import Decimal
from xml.etree import ElementTree as ET

from payments.pain001 import (
    NAMESPACE,
    CreditTransfer,
    PaymentFile,
    pain001_errors,
    pain001_xml,
    sepa_text,
)

NS = {"p": NAMESPACE}

IBAN = "DE89370400440532013000"
US_ACCOUNT = {"account_number": "123456789", "aba_routing_number": "021000021"}


def transfer(**fields) -> CreditTransfer:
    """One payment of 250.00 to Acme for INV-1; pass IBAN or US_ACCOUNT fields."""
    defaults = dict(
        end_to_end_id="e2e-1",
        amount=Decimal("250.00"),
        creditor_name="Acme",
        invoice_numbers=("INV-1",),
    )
    return CreditTransfer(**{**defaults, **fields})


def usd_file(**overrides):
    fields = dict(
        message_id="0123456789abcdef0123456789abcdef",
        created_at=dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC),
        initiating_party="Demo Company GmbH",
        payment_info_id="PR-20261201-ABCDEF-USD",
        execution_date=dt.date(2026, 12, 1),
        currency="USD",
        debtor_name="Demo Company GmbH",
        debtor_iban="DE89370400440532013000",
        debtor_bic="COBADEFFXXX",
        transfers=(
            CreditTransfer(
                end_to_end_id="e2e-1",
                amount=Decimal("1500.10"),
                creditor_name="Globex Corp",
                invoice_numbers=("INV-1", "INV-2"),
                account_number="123456789",
                aba_routing_number="021000021",
            ),
        ),
    )
    return PaymentFile(**{**fields, **overrides})


def test_a_us_account_payment_is_valid_and_names_the_aba_routing_number():
    xml = pain001_xml(usd_file())
    assert pain001_errors(xml) == []
    root = ET.fromstring(xml)
    tx = root.find(".//p:CdtTrfTxInf", NS)
    assert tx.find("p:CdtrAcct/p:Id/p:Othr/p:Id", NS).text == "123456789"
    member = tx.find("p:CdtrAgt/p:FinInstnId/p:ClrSysMmbId", NS)
    assert member.find("p:ClrSysId/p:Cd", NS).text == "USABA"
    assert member.find("p:MmbId", NS).text == "021000021"
    assert tx.find("p:Amt/p:InstdAmt", NS).attrib == {"Ccy": "USD"}
    # Not a SEPA payment: no SEPA service level, shared charges.
    assert root.find(".//p:PmtTpInf", NS) is None
    assert root.find(".//p:PmtInf/p:ChrgBr", NS).text == "SHAR"


def test_the_schema_refuses_a_broken_file():
    xml = pain001_xml(usd_file(debtor_iban="not an iban"))
    errors = pain001_errors(xml)
    assert errors and "IBAN" in errors[0]


def test_user_text_is_escaped_not_injected():
    evil = transfer(
        creditor_name="Evil </Nm><Nm>Corp & Co",
        invoice_numbers=("<script>",),
        **US_ACCOUNT,
    )
    xml = pain001_xml(usd_file(transfers=(evil,)))
    assert pain001_errors(xml) == []
    root = ET.fromstring(xml)
    assert root.find(".//p:Cdtr/p:Nm", NS).text == "Evil </Nm><Nm>Corp & Co"
    assert root.find(".//p:Ustrd", NS).text == "<script>"


def test_a_sepa_file_spells_names_and_remittance_in_the_sepa_character_set():
    payment = transfer(
        creditor_name="Müller & Söhne Straßenbau – Łódź",
        invoice_numbers=("INV-Ø1", "INV-Æ2 «urgent»"),
        iban=IBAN,
    )
    xml = pain001_xml(
        usd_file(
            currency="EUR", initiating_party="Demo Café GmbH", transfers=(payment,)
        )
    )
    assert pain001_errors(xml) == []
    root = ET.fromstring(xml)
    assert root.find(".//p:PmtTpInf/p:SvcLvl/p:Cd", NS).text == "SEPA"
    assert root.find(".//p:Cdtr/p:Nm", NS).text == "Muller + Sohne Strassenbau - Lodz"
    assert root.find(".//p:Ustrd", NS).text == "INV-O1, INV-Ae2 urgent"
    assert root.find(".//p:InitgPty/p:Nm", NS).text == "Demo Cafe GmbH"


def test_a_file_that_is_not_sepa_keeps_names_as_written():
    payment = transfer(creditor_name="Müller & Söhne Inc.", **US_ACCOUNT)
    root = ET.fromstring(pain001_xml(usd_file(transfers=(payment,))))
    assert root.find(".//p:Cdtr/p:Nm", NS).text == "Müller & Söhne Inc."


def test_sepa_text_keeps_what_the_sepa_set_allows_and_transliterates_the_rest():
    allowed = "Acme (Europe) Ltd. 0-9 / ? : , ' +"
    assert sepa_text(allowed) == allowed
    assert sepa_text("Yılmaz Ðorđe") == "Yilmaz Dorde"
    assert sepa_text("ООО Ромашка") == "OOO Romashka"
    assert sepa_text("ΔΕΗ Α.Ε.") == "DEI A.E."
    assert sepa_text("INV_7 #3 @x") == "INV 7  3  x"


def test_a_sepa_remittance_is_fitted_to_140_characters_after_transliteration():
    numbers = tuple(f"RÉF-ẞ{n:03d}-ßßßß" for n in range(12))  # longer once spelled
    payment = transfer(invoice_numbers=numbers, iban=IBAN)
    root = ET.fromstring(pain001_xml(usd_file(currency="EUR", transfers=(payment,))))
    text = root.find(".//p:Ustrd", NS).text
    assert len(text) <= 140
    assert text.startswith("REF-Ss000-ssssssss, ") and text.endswith(" more")
