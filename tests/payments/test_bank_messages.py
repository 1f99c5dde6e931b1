import datetime as dt
import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from django.test import override_settings

from core.errors import ValidationFailed
from payments.bank_messages import (
    SCHEMAS,
    MessageType,
    Outcome,
    read_bank_message,
    schema_errors,
)
from tests.payments.bank_files import camt053, camt054, pain002

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "payments" / "schemas"

ENTRIES = [
    dict(
        end_to_end_id="e2e-1",
        amount=Decimal("250.00"),
        creditor_iban="FR7630006000011234567890189",
    ),
    dict(
        end_to_end_id="e2e-2",
        amount=Decimal("99.99"),
        returned=True,
        reason_code="AC04",
        reason_text="Konto erloschen",
    ),
]


def refusal(content: bytes, **kwargs) -> str:
    with pytest.raises(ValidationFailed) as refused:
        read_bank_message(content, **kwargs)
    return refused.value.message


# --- The files the tests build are what the official XSDs accept -----------


@pytest.mark.parametrize(
    "content, version",
    [
        (
            pain002(
                original_message_id="MSG-1",
                transactions=[
                    ("e2e-1", "RJCT", "AC04", "Account closed"),
                    ("e2e-2", "ACSC"),
                ],
                group_status="PART",
            ),
            "pain.002.001.10",
        ),
        (
            pain002(
                original_message_id="MSG-1",
                group_status="RJCT",
                group_reason=("FF01", "Bad file"),
            ),
            "pain.002.001.10",
        ),
        (
            pain002(
                original_message_id="MSG-1",
                transactions=[
                    dict(
                        end_to_end_id="e2e-1",
                        status="RJCT",
                        amount=Decimal("1.00"),
                        creditor_iban="DE89370400440532013000",
                    )
                ],
            ),
            "pain.002.001.10",
        ),
        (camt054(entries=ENTRIES), "camt.054.001.08"),
        (camt053(entries=ENTRIES), "camt.053.001.08"),
        (camt053(entries=[]), "camt.053.001.08"),
        (
            camt054(entries=[dict(batch_message_id="FILE-1", amount=Decimal("500"))]),
            "camt.054.001.08",
        ),
        (
            pain002(
                original_message_id="MSG-1",
                payment_status="RJCT",
                payment_reason=("AM04", "No funds"),
            ),
            "pain.002.001.10",
        ),
    ],
)
def test_built_files_are_valid_against_the_official_xsd(content, version):
    root = fromstring(content)
    assert root.tag == f"{{urn:iso:std:iso:20022:tech:xsd:{version}}}Document"
    assert schema_errors(root, version) == []


# --- The shipped schemas ------------------------------------------------------


# SHA-256 of the official files (payments/schemas/README.md says where from).
SCHEMA_SHA256 = {
    "pain.002.001.10": "2f9f8d0e9891fa9f31ccf0576397afe501614384d688ae6e43ba694b3d24b0cf",
    "pain.002.001.03": "dfb211e63f09825ea89f0ceee870db9e82ab2840fbe8b8148d9c4c2a9a99fd87",
    "camt.054.001.08": "13d220337d47e22cf25788807c136794a76955791df612c6947277272d440da6",
    "camt.054.001.02": "8bb91f1d645277487b4262538c9064161e8feb48ceb8b0c680716fd07c32da01",
    "camt.053.001.08": "338e9cb0c9989b5181802a7b773eece070d6815fc9d6483ac0579117bc24ccba",
    "camt.053.001.02": "05ec472590dda5e433fd646e9cf3849fa1ba01c033052aaca3089cec6862692d",
}


@pytest.mark.parametrize("version", sorted(SCHEMAS))
def test_each_schema_is_the_official_file_of_its_version(version):
    content = (SCHEMA_DIR / f"{version}.xsd").read_bytes()
    assert hashlib.sha256(content).hexdigest() == SCHEMA_SHA256[version]
    namespace = re.search(rb'targetNamespace="([^"]+)"', content).group(1)
    assert namespace.decode() == f"urn:iso:std:iso:20022:tech:xsd:{version}"


# --- Dispatch by namespace ------------------------------------------------------


def test_each_message_goes_to_its_parser():
    assert (
        read_bank_message(
            pain002(original_message_id="M", transactions=[("e2e-1", "RJCT")])
        ).message_type
        is MessageType.PAIN002
    )
    assert (
        read_bank_message(camt054(entries=ENTRIES)).message_type is MessageType.CAMT054
    )
    assert (
        read_bank_message(camt053(entries=ENTRIES)).message_type is MessageType.CAMT053
    )


def test_a_camt053_and_a_camt054_of_the_same_bookings_say_the_same():
    statement = read_bank_message(camt053(entries=ENTRIES))
    notification = read_bank_message(camt054(entries=ENTRIES))
    assert statement.entries == notification.entries
    assert [e.outcome for e in statement.entries] == [Outcome.BOOKED, Outcome.REJECTED]


# --- Refusals -------------------------------------------------------------------


def test_a_file_above_the_limit_is_refused_with_both_sizes():
    content = camt054(entries=ENTRIES)
    message = refusal(content, max_bytes=1000)
    assert message == (
        f"The file is {len(content):,} bytes; a bank file may be at most 1,000 bytes."
    )


@override_settings(BANK_STATEMENT_MAX_BYTES=500)
def test_the_limit_defaults_to_the_setting():
    assert "at most 500 bytes" in refusal(camt054(entries=ENTRIES))


def test_the_default_limit_is_ten_megabytes():
    from django.conf import settings

    assert settings.BANK_STATEMENT_MAX_BYTES == 10 * 1024 * 1024


@pytest.mark.parametrize(
    "content",
    [
        b"Date;Amount\n2026-12-01;250.00\n",
        b"%PDF-1.7\n\x00\x01",
        b"<Document><unclosed>",
    ],
)
def test_a_file_that_is_not_xml_is_refused(content):
    assert refusal(content).startswith("The file is not XML (line ")


def test_an_empty_file_is_refused():
    assert refusal(b"  \n") == (
        "The file is empty; expected a pain.002, camt.054 or camt.053 file."
    )


DTD_REFUSAL = (
    "The file declares a DOCTYPE or an entity. Bank files never do; it is "
    "refused so that nothing in it is expanded or fetched."
)

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">&secret;</Document>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">&lol4;</Document>
"""


@pytest.mark.parametrize(
    "content",
    [
        XXE,
        BILLION_LAUGHS,
        # The same attack in UTF-16, which a byte search for "<!DOCTYPE" misses.
        XXE.decode()
        .replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
        .encode("utf-16"),
        # An external DTD alone (fetched by a careless parser).
        b'<?xml version="1.0"?><!DOCTYPE Document SYSTEM "http://attacker.example/x.dtd"><Document/>',
    ],
    ids=["external-entity", "billion-laughs", "utf-16", "external-dtd"],
)
def test_a_dtd_or_entity_is_refused_before_parsing(content):
    assert refusal(content) == DTD_REFUSAL


def test_the_parser_refuses_a_dtd_the_byte_check_did_not_see(monkeypatch):
    monkeypatch.setattr("payments.bank_messages._declares_dtd", lambda content: False)
    assert refusal(XXE) == DTD_REFUSAL
    assert refusal(BILLION_LAUGHS) == DTD_REFUSAL


def test_another_iso_message_is_refused_naming_its_namespace():
    content = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"/>'
    assert refusal(content) == (
        "This is not a pain.002, camt.054 or camt.053 file: its namespace is "
        "'urn:iso:std:iso:20022:tech:xsd:camt.052.001.08'."
    )


def test_xml_without_a_namespace_is_refused():
    assert refusal(b"<Document><Ntry/></Document>") == (
        "This is not a pain.002, camt.054 or camt.053 file: it has no namespace."
    )


def test_a_version_not_read_is_refused_with_the_versions_to_ask_for():
    content = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04"/>'
    assert refusal(content) == (
        "This camt.053 file is version camt.053.001.04, which is not read here; "
        "ask the bank for camt.053.001.08 or camt.053.001.02."
    )


def test_an_xsd_invalid_file_is_refused_with_the_first_errors():
    content = camt054(entries=ENTRIES).replace(b"<CdtDbtInd>DBIT", b"<CdtDbtInd>DEBIT")
    message = refusal(content)
    assert message.startswith("The file is not a valid camt.054.001.08 message: ")
    assert "/Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Ntry[1]/CdtDbtInd" in message
    assert "value must be one of ['CRDT', 'DBIT'] (found 'DEBIT')" in message
    assert "{urn:" not in message


def test_a_file_with_many_errors_names_the_first_three_and_counts_the_rest():
    entries = [dict(end_to_end_id=f"e2e-{n}", amount=Decimal("1.00")) for n in range(6)]
    content = camt054(entries=entries).replace(b"<CdtDbtInd>DBIT", b"<CdtDbtInd>DEBIT")
    message = refusal(content)
    assert message.count("/Document/") == 3
    assert re.search(r"\(and \d+ more\)$", message)


def test_created_at_and_message_id_are_read():
    created = dt.datetime(2026, 12, 1, 18, 30, tzinfo=dt.UTC)
    message = read_bank_message(
        camt054(entries=ENTRIES, message_id="NTF-77", created_at=created)
    )
    assert (message.message_id, message.created_at) == ("NTF-77", created)


def test_another_root_element_is_refused_even_in_a_known_namespace():
    content = b'<AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"/>'
    assert refusal(content) == (
        "This is not a pain.002, camt.054 or camt.053 file: its root element is "
        "<AppHdr>, not an ISO 20022 <Document>."
    )


def test_a_byte_order_mark_is_read():
    message = read_bank_message(b"\xef\xbb\xbf" + camt054(entries=ENTRIES))
    assert len(message.entries) == 2


def test_elements_nested_absurdly_deep_are_refused_before_the_xsd_check():
    content = camt054(entries=ENTRIES).replace(
        b"</BkToCstmrDbtCdtNtfctn>",
        b"<SplmtryData><Envlp>"
        + b"<a>" * 10_000
        + b"</a>" * 10_000
        + b"</Envlp></SplmtryData></BkToCstmrDbtCdtNtfctn>",
    )
    assert refusal(content) == (
        "The file nests elements more than 50 deep; no camt.054 message does."
    )


def test_a_file_with_countless_errors_stops_counting():
    entries = [
        dict(end_to_end_id=f"e2e-{n}", amount=Decimal("1.00")) for n in range(60)
    ]
    content = camt054(entries=entries).replace(b"<CdtDbtInd>DBIT", b"<CdtDbtInd>DEBIT")
    assert refusal(content).endswith(" (and more than 97 more)")


def test_our_own_payment_file_uploaded_by_mistake_is_refused():
    from payments.pain001 import CreditTransfer, PaymentFile, pain001_xml

    ours = pain001_xml(
        PaymentFile(
            message_id="RUN-7-EUR-abc",
            created_at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC),
            initiating_party="Demo Company GmbH",
            payment_info_id="RUN-7-EUR",
            execution_date=dt.date(2026, 12, 2),
            currency="EUR",
            debtor_name="Demo Company GmbH",
            debtor_iban="DE89370400440532013000",
            debtor_bic="COBADEFFXXX",
            transfers=(
                CreditTransfer(
                    end_to_end_id="e2e-1",
                    amount=Decimal("250.00"),
                    creditor_name="Acme",
                    invoice_numbers=("INV-1",),
                    iban="FR7630006000011234567890189",
                ),
            ),
        )
    )
    assert refusal(ours) == (
        "This is a payment file (pain.001.001.09): what is sent to the bank, not "
        "its answer. Upload a pain.002, camt.054 or camt.053 file the bank sent back."
    )
