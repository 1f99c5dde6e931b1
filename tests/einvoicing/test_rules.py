"""
The official EN 16931 rules (einvoicing/rules/, run by saxonche) on the
official CEN/TC 434 samples and on samples altered to break one rule.

To update the rules, replace the XSLT files (einvoicing/rules/README.md)
and run this file.
"""

import hashlib
import http.server
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from core.errors import ValidationFailed
from einvoicing import rules
from einvoicing.document import EInvoiceInvalid, Syntax
from tests.einvoicing import broken

# Pure: the same on either backend, so run once (tests/conftest.py).
pytestmark = pytest.mark.backend_free

SAMPLES = [
    pytest.param(path, syntax, id=path.name)
    for syntax in Syntax
    for path in broken.samples(syntax)
]

# What each altered total breaks, the same in every sample of both syntaxes.
BROKEN_TOTALS = {
    # BT-106 no longer the sum of the lines, nor part of BT-109.
    "line_total": {"BR-CO-10", "BR-CO-13"},
    # BT-109 no longer lines - allowances + charges, nor part of BT-112.
    "net_total": {"BR-CO-13", "BR-CO-15"},
    # BT-110 no longer the sum of the VAT breakdown, nor part of BT-112.
    "tax_total": {"BR-CO-14", "BR-CO-15"},
    # BT-112 no longer net + VAT, nor the start of BT-115.
    "gross_total": {"BR-CO-15", "BR-CO-16"},
    # BT-115 no longer gross - prepaid + rounding.
    "amount_due": {"BR-CO-16"},
}

RULE_TEXT = {
    "BR-CO-10": "BR-CO-10: Sum of Invoice line net amount (BT-106) = Σ Invoice line net amount (BT-131).",
    "BR-CO-15": "BR-CO-15: Invoice total amount with VAT (BT-112) = Invoice total amount without VAT (BT-109) + Invoice total VAT amount (BT-110).",
    "BR-CO-16": "BR-CO-16: Amount due for payment (BT-115) = Invoice total amount with VAT (BT-112) -Paid amount (BT-113) +Rounding amount (BT-114).",
}


def test_the_vendored_rules_are_the_official_release_unmodified():
    for path in rules.STYLESHEETS.values():
        head = path.read_bytes()[:400].decode("utf-8")
        assert "Schematron version 1.3.16 - Last update: 2026-03-30" in head
        assert "European Union Public Licence (EUPL) version 1.2" in head
    digests = {
        syntax: hashlib.sha256(path.read_bytes()).hexdigest()
        for syntax, path in rules.STYLESHEETS.items()
    }
    assert digests == {
        Syntax.UBL: "39f9d282867f1a49e7708d9e29a53da89643e1ee56f10cec1ebcf1277595fcbd",
        Syntax.CII: "0b234dea2bbfee739b7761e607a992c17fab88773014ef56355b6158cfb1cc53",
    }
    assert (rules.RULES_DIR / "LICENSE-EUPL-1.2.txt").is_file()


def test_both_syntaxes_have_official_samples():
    assert len(broken.samples(Syntax.UBL)) >= 6
    assert len(broken.samples(Syntax.CII)) >= 5


@pytest.mark.parametrize(("path", "syntax"), SAMPLES)
def test_every_official_sample_passes_every_rule(path, syntax):
    assert rules.validate(xml=path.read_bytes(), syntax=syntax) == ()
    assert rules.check(xml=path.read_bytes(), syntax=syntax) == ()


@pytest.mark.parametrize("total", BROKEN_TOTALS)
@pytest.mark.parametrize(("path", "syntax"), SAMPLES)
def test_a_sample_with_a_total_altered_is_refused_with_its_br_co_rules(
    path, syntax, total
):
    altered = broken.with_total_changed(path.read_bytes(), syntax, total=total)

    with pytest.raises(EInvoiceInvalid) as refused:
        rules.check(xml=altered, syntax=syntax)

    expected = BROKEN_TOTALS[total]
    assert {failure.rule_id for failure in refused.value.failures} == expected
    assert {error["rule"] for error in refused.value.extra["errors"]} == expected
    assert all(error["flag"] == "fatal" for error in refused.value.extra["errors"])
    assert refused.value.status_code == 422
    for rule_id in expected & RULE_TEXT.keys():
        assert RULE_TEXT[rule_id] in refused.value.message


@pytest.mark.parametrize(("path", "syntax"), SAMPLES)
def test_the_total_broken_by_the_shared_builder_names_br_co_15_and_16(path, syntax):
    with pytest.raises(EInvoiceInvalid) as refused:
        rules.check(
            xml=broken.with_total_broken(path.read_bytes(), syntax), syntax=syntax
        )

    assert refused.value.message == (
        "The e-invoice breaks 2 EN 16931 rules: "
        f"{RULE_TEXT['BR-CO-15']}; {RULE_TEXT['BR-CO-16']}"
    )
    assert refused.value.extra == {
        "errors": [
            {
                "rule": "BR-CO-15",
                "flag": "fatal",
                "message": RULE_TEXT["BR-CO-15"].removeprefix("BR-CO-15: "),
            },
            {
                "rule": "BR-CO-16",
                "flag": "fatal",
                "message": RULE_TEXT["BR-CO-16"].removeprefix("BR-CO-16: "),
            },
        ]
    }
    locations = [failure.location for failure in refused.value.failures]
    assert all(location.startswith("/*:") for location in locations)


@pytest.mark.parametrize(("path", "syntax"), SAMPLES)
def test_a_line_net_amount_altered_breaks_the_line_total_and_its_vat_category(
    path, syntax
):
    altered = broken.with_line_amount_changed(path.read_bytes(), syntax)

    with pytest.raises(EInvoiceInvalid) as refused:
        rules.check(xml=altered, syntax=syntax)

    # BR-CO-10: the lines' sum; BR-S-08 (BR-E-08 on the exempt credit
    # note): the taxable amount of the line's VAT category.
    rule_ids = [failure.rule_id for failure in refused.value.failures]
    assert len(rule_ids) == 2 and rule_ids[1] == "BR-CO-10"
    assert rule_ids[0] in {"BR-S-08", "BR-E-08"}
    assert RULE_TEXT["BR-CO-10"] in refused.value.message


def test_a_cent_off_is_enough_to_be_refused():
    path = broken.samples(Syntax.CII)[0]
    altered = broken.with_total_changed(
        path.read_bytes(), Syntax.CII, total="amount_due", by=Decimal("-0.01")
    )

    with pytest.raises(EInvoiceInvalid, match="BR-CO-16: Amount due for payment"):
        rules.check(xml=altered, syntax=Syntax.CII)


@pytest.mark.parametrize(
    ("syntax", "rule_id", "text"),
    [
        (
            Syntax.UBL,
            "UBL-CR-004",
            "A UBL invoice should not include the CopyIndicator",
        ),
        (Syntax.CII, "CII-SR-002", "TestIndicator should not be present"),
    ],
)
def test_a_document_with_only_warnings_passes_with_them(syntax, rule_id, text):
    for path in broken.samples(syntax):
        altered = broken.with_warning(path.read_bytes(), syntax)

        warnings = rules.check(xml=altered, syntax=syntax)

        assert [(w.rule_id, w.flag, w.text) for w in warnings] == [
            (rule_id, "warning", text)
        ]
        assert not warnings[0].fatal


def test_warnings_are_kept_beside_the_failures_of_a_refused_document():
    path = broken.samples(Syntax.UBL)[1]
    altered = broken.with_total_broken(
        broken.with_warning(path.read_bytes(), Syntax.UBL), Syntax.UBL
    )

    with pytest.raises(EInvoiceInvalid) as refused:
        rules.check(xml=altered, syntax=Syntax.UBL)

    assert [w.rule_id for w in refused.value.warnings] == ["UBL-CR-004"]
    assert "UBL-CR-004" not in refused.value.message
    assert [e["rule"] for e in refused.value.extra["errors"]] == [
        "BR-CO-15",
        "BR-CO-16",
    ]


@pytest.mark.parametrize(("path", "syntax"), SAMPLES)
def test_a_sample_under_another_number_still_passes(path, syntax):
    renumbered = broken.with_number(path.read_bytes(), syntax, "BENCH-000001")

    assert b"BENCH-000001" in renumbered
    assert renumbered != path.read_bytes()
    assert rules.check(xml=renumbered, syntax=syntax) == ()


@pytest.mark.parametrize(("path", "syntax"), SAMPLES)
def test_a_sample_naming_another_order_still_passes(path, syntax):
    ordered = broken.with_order_reference(path.read_bytes(), syntax, "PO-2026-0042")

    assert ordered.count(b"PO-2026-0042") == 1
    assert rules.check(xml=ordered, syntax=syntax) == ()


@pytest.mark.parametrize(("path", "syntax"), SAMPLES)
def test_a_document_without_its_number_breaks_br_02(path, syntax):
    with pytest.raises(EInvoiceInvalid) as refused:
        rules.check(xml=broken.without_number(path.read_bytes(), syntax), syntax=syntax)

    assert [f.rule_id for f in refused.value.failures] == ["BR-02"]
    assert "BR-02: An Invoice shall have an Invoice number (BT-1)." in str(
        refused.value
    )


def test_a_document_declared_in_another_encoding_is_read_as_declared():
    path = broken.samples(Syntax.UBL)[1]
    text = path.read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    latin = text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"', 1).replace(
        "<cbc:Note>", "<cbc:Note>Zahlbar ohne Abzug, Müller &amp; Söhne. ", 1
    )
    assert "<cbc:Note>Zahlbar" in latin

    assert rules.check(xml=latin.encode("iso-8859-1"), syntax=Syntax.UBL) == ()
    assert rules.check(xml=b"\xef\xbb\xbf" + path.read_bytes(), syntax=Syntax.UBL) == ()


def test_text_that_is_not_xml_is_refused_with_a_message():
    with pytest.raises(ValidationFailed, match="not well-formed or declares a DOCTYPE"):
        rules.validate(xml=b"%PDF-1.7 not xml", syntax=Syntax.CII)
    with pytest.raises(ValidationFailed, match="cannot be decoded as utf-8"):
        rules.validate(xml=b"<Invoice>\xff\xfe</Invoice>", syntax=Syntax.UBL)


def test_a_document_of_the_other_syntax_is_refused_not_passed():
    # Neither stylesheet fails a document it was not written for: it would
    # pass every rule.
    cii = broken.samples(Syntax.CII)[0].read_bytes()
    ubl = broken.samples(Syntax.UBL)[1].read_bytes()

    with pytest.raises(ValidationFailed) as refused:
        rules.check(xml=cii, syntax=Syntax.UBL)
    assert refused.value.message == (
        "The e-invoice's root element Q{urn:un:unece:uncefact:data:standard:"
        "CrossIndustryInvoice:100}CrossIndustryInvoice is not that of a UBL "
        "invoice or credit note, so its EN 16931 rules cannot be checked."
    )
    with pytest.raises(ValidationFailed, match="not that of a CII invoice"):
        rules.check(xml=ubl, syntax=Syntax.CII)
    with pytest.raises(ValidationFailed, match="root element Invoice is not"):
        rules.check(xml=b"<Invoice/>", syntax=Syntax.UBL)


def test_an_entity_is_never_expanded_and_no_file_is_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the content of a server file")
    for declaration in (
        f'<!DOCTYPE Invoice [<!ENTITY e SYSTEM "{secret.as_uri()}">]>',
        '<!DOCTYPE Invoice [<!ENTITY e "lol">]>',
    ):
        xml = (
            declaration
            + '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'
            "&e;</Invoice>"
        ).encode()

        with pytest.raises(ValidationFailed) as refused:
            rules.validate(xml=xml, syntax=Syntax.UBL)

        assert "DOCTYPE" in refused.value.message
        assert "content of a server file" not in refused.value.message


def test_an_external_dtd_is_never_fetched():
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY e "fetched">')

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/invoice.dtd"
        xml = (
            f'<!DOCTYPE Invoice SYSTEM "{url}">'
            '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
        ).encode()

        with pytest.raises(ValidationFailed):
            rules.validate(xml=xml, syntax=Syntax.UBL)
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []


def test_the_rules_are_compiled_once_per_process():
    first = rules.warm_up()
    rules.check(xml=broken.samples(Syntax.CII)[0].read_bytes(), syntax=Syntax.CII)

    assert set(first) == {Syntax.UBL, Syntax.CII}
    assert all(seconds > 0 for seconds in first.values())
    # The same compilations, not new ones.
    assert rules.warm_up() == first


def test_documents_validated_from_several_threads_get_their_own_results():
    documents = []
    for path in broken.samples(Syntax.UBL) + broken.samples(Syntax.CII):
        syntax = Syntax.UBL if path.parent.name == "ubl" else Syntax.CII
        documents.append((path.read_bytes(), syntax, ()))
        documents.append(
            (
                broken.with_total_broken(path.read_bytes(), syntax),
                syntax,
                ("BR-CO-15", "BR-CO-16"),
            )
        )

    def rule_ids(document):
        xml, syntax, _ = document
        return tuple(r.rule_id for r in rules.validate(xml=xml, syntax=syntax))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(rule_ids, documents * 3))

    assert results == [expected for _, _, expected in documents * 3]


def test_a_process_forked_after_saxon_started_refuses_to_validate_and_says_why():
    """
    GraalVM's runtime does not survive a fork: a child that used the
    parent's Saxon crashed now and then in its garbage collector. The child
    now refuses, touching no Saxon object, and the parent goes on.
    """
    rules.warm_up()
    altered = broken.with_total_broken(
        broken.samples(Syntax.UBL)[0].read_bytes(), Syntax.UBL
    )
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            try:
                rules.validate(xml=altered, syntax=Syntax.UBL)
                os.write(write_end, b"validated")
            except RuntimeError as exc:
                os.write(write_end, str(exc).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        reported = pipe.read().decode()
    _, status = os.waitpid(child, 0)

    assert reported == rules.FORKED_MESSAGE
    assert os.waitstatus_to_exitcode(status) == 0  # no crash
    found = [r.rule_id for r in rules.validate(xml=altered, syntax=Syntax.UBL)]
    assert found == ["BR-CO-15", "BR-CO-16"]
