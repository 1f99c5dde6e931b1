"""Payment runs through their services: what a treasurer and an auditor would see."""

import datetime as dt
import json
import logging
import re
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest

from audit.selectors import audit_history
from core import documents, dynamo
from core.errors import (
    InvalidTransition,
    PermissionDenied,
    ServiceUnavailable,
    ValidationFailed,
)
from invoicing.selectors import invoice_get
from payments import checks, refusals, services
from payments.files import payment_files
from payments.pain001 import NAMESPACE, pain001_errors
from payments.selectors import (
    payment_run_actions,
    payment_run_get,
    payment_run_proposal,
)
from tests.conftest import EUR_IBAN_1, TODAY
from vendors.models import Vendor
from vendors.services import vendor_update

NS = {"p": NAMESPACE}
MSG_ID = re.compile(rb"<MsgId>([^<]+)</MsgId>")


def files_by_name(run):
    return {f.name: f for f in run.files}


def build(user, **fields):
    fields.setdefault("payment_date", TODAY)
    return services.payment_run_create(user=user, **fields)


def statuses(*invoices):
    return [invoice_get(invoice_id=i.id).status for i in invoices]


def history_actions(entity_type, entity_id):
    page = audit_history(entity_type=entity_type, entity_id=entity_id, limit=50)
    return [entry.action for entry in reversed(page.items)]


@pytest.fixture
def due_invoices(three_vendors, matched_invoice):
    acme, bureau, globex = three_vendors
    return (
        matched_invoice(acme, "1000.00"),
        matched_invoice(acme, "250.50"),
        # 2/10 Net 30 dated 5 days ago: not due, but the discount is still on.
        matched_invoice(bureau, "1234.57", invoice_date=TODAY - dt.timedelta(days=5)),
        matched_invoice(globex, "1500.10"),
    )


def test_the_whole_run_from_build_to_paid(treasurer, approver, due_invoices):
    built = build(treasurer)
    run = built.run
    assert built.created and run.status == "draft"
    assert statuses(*due_invoices) == ["scheduled"] * 4
    by_vendor = {p.vendor_name: p for p in run.payments}
    assert by_vendor["Acme Supplies GmbH"].amount == Decimal("1250.50")
    assert len(by_vendor["Acme Supplies GmbH"].invoices) == 2
    bureau = by_vendor["Bureau Fournitures SA"]
    assert (bureau.amount, bureau.discount) == (Decimal("1209.88"), Decimal("24.69"))
    assert by_vendor["Globex Corp"].currency == "USD"

    services.payment_run_approve(run_id=run.id, user=approver)
    run = services.payment_run_export(run_id=run.id, user=treasurer)
    assert run.status == "exported"
    assert sorted(f.name for f in run.files) == [
        "pain001-EUR.xml",
        "pain001-USD.xml",
        "summary.json",
    ]
    run = services.payment_run_confirm(run_id=run.id, user=treasurer)
    assert run.status == "confirmed"
    assert statuses(*due_invoices) == ["paid"] * 4
    assert history_actions("payment_run", run.id) == [
        "CREATE",
        "APPROVE",
        "EXPORT",
        "CONFIRM",
    ]
    assert history_actions("invoice", due_invoices[0].id)[-2:] == ["SCHEDULE", "PAY"]


def test_each_file_and_each_export_is_a_message_of_its_own(
    treasurer, approver, due_invoices
):
    """A bank refuses a MsgId it has seen: the EUR and the USD file of one run
    carry two, both XSD-valid, and exporting the run again writes new ones."""
    run = build(treasurer).run
    services.payment_run_approve(run_id=run.id, user=approver)
    run = services.payment_run_export(run_id=run.id, user=treasurer)
    message_ids = {}
    for file in run.files:
        if file.kind != "pain001":
            continue
        with documents.document_open(key=file.key) as stored:
            xml = stored.read()
        assert pain001_errors(xml) == []
        root = ET.fromstring(xml)
        message_ids[file.currency] = root.find(".//p:GrpHdr/p:MsgId", NS).text
        assert message_ids[file.currency] == file.message_id
        assert len(file.message_id) <= 35
    assert set(message_ids) == {"EUR", "USD"}
    assert message_ids["EUR"] != message_ids["USD"]
    assert all(m.startswith(f"{run.number}-") for m in message_ids.values())
    with documents.document_open(key=files_by_name(run)["summary.json"].key) as f:
        assert json.load(f)["message_ids"] == message_ids
    # A second export of the same run (its files written again) is a new message.
    again = payment_files(run, user=treasurer, created_at=dynamo.utcnow(), attempt="b")
    first = payment_files(run, user=treasurer, created_at=dynamo.utcnow(), attempt="a")
    assert MSG_ID.search(again["pain001-EUR.xml"]).group(1) != (
        MSG_ID.search(first["pain001-EUR.xml"]).group(1)
    )


def test_exported_files_are_valid_and_say_what_the_bank_must_do(
    treasurer, approver, due_invoices
):
    run = build(treasurer).run
    services.payment_run_approve(run_id=run.id, user=approver)
    run = services.payment_run_export(run_id=run.id, user=treasurer)
    files = {f.name: f for f in run.files}
    payments = {p.vendor_name: p for p in run.payments}

    eur = files["pain001-EUR.xml"]
    with documents.document_open(key=eur.key) as stored:
        xml = stored.read()
    assert pain001_errors(xml) == []
    import hashlib

    assert hashlib.sha256(xml).hexdigest() == eur.sha256 and len(xml) == eur.size
    assert eur.key.startswith(f"payments/{TODAY.year}/{run.id}/")
    root = ET.fromstring(xml)
    assert root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", NS).text == eur.message_id
    assert root.find(".//p:GrpHdr/p:NbOfTxs", NS).text == "2"
    assert root.find(".//p:GrpHdr/p:CtrlSum", NS).text == "2460.38"  # 1250.50 + 1209.88
    assert root.find(".//p:PmtInf/p:ReqdExctnDt/p:Dt", NS).text == TODAY.isoformat()
    transfers = {
        tx.find("p:Cdtr/p:Nm", NS).text: tx
        for tx in root.findall(".//p:CdtTrfTxInf", NS)
    }
    acme = transfers["Acme Supplies GmbH"]
    assert (
        acme.find("p:PmtId/p:EndToEndId", NS).text == payments["Acme Supplies GmbH"].id
    )
    assert acme.find("p:Amt/p:InstdAmt", NS).text == "1250.50"
    assert acme.find("p:Amt/p:InstdAmt", NS).attrib["Ccy"] == "EUR"
    assert acme.find("p:CdtrAcct/p:Id/p:IBAN", NS).text == EUR_IBAN_1
    assert acme.find("p:CdtrAgt/p:FinInstnId/p:BICFI", NS).text == "COBADEFFXXX"
    assert acme.find("p:RmtInf/p:Ustrd", NS).text == ", ".join(
        i.invoice_number for i in payments["Acme Supplies GmbH"].invoices
    )
    bureau = transfers["Bureau Fournitures SA"]
    assert bureau.find("p:Amt/p:InstdAmt", NS).text == "1209.88"

    with documents.document_open(key=files["pain001-USD.xml"].key) as stored:
        usd = ET.fromstring(stored.read())
    assert usd.find(".//p:GrpHdr/p:NbOfTxs", NS).text == "1"
    assert usd.find(".//p:GrpHdr/p:CtrlSum", NS).text == "1500.10"
    assert usd.find(".//p:CdtrAcct/p:Id/p:Othr/p:Id", NS).text == "123456789"
    assert usd.find(".//p:ClrSysMmbId/p:MmbId", NS).text == "021000021"

    with documents.document_open(key=files["summary.json"].key) as stored:
        summary = json.load(stored)
    assert summary["run_id"] == run.id
    assert summary["totals"]["EUR"]["amount"] == "2460.38"
    assert summary["totals"]["EUR"]["discount"] == "24.69"


def test_vendors_on_hold_or_inactive_are_skipped_and_said_why(
    treasurer, clerk, make_vendor, matched_invoice
):
    held = make_vendor("Held Ltd", iban=EUR_IBAN_1)
    invoice = matched_invoice(held)
    vendor_update(
        vendor_id=held.id,
        user=clerk,
        changes={"payment_hold": True, "payment_hold_reason": "Disputed delivery"},
        version=held.version,
    )
    proposal = payment_run_proposal(user=treasurer, payment_date=TODAY)
    assert proposal.payments == []
    assert [(s.vendor_name, s.reason) for s in proposal.skipped] == [
        ("Held Ltd", "On payment hold: Disputed delivery.")
    ]
    with pytest.raises(ValidationFailed, match="nothing to pay"):
        build(treasurer)
    assert statuses(invoice) == ["matched"]


def test_vendors_without_valid_bank_details_block_the_run_by_name(
    treasurer, make_vendor, matched_invoice, three_vendors
):
    no_bank = make_vendor("No Bank Inc")
    legacy = make_vendor("Legacy Import GmbH", iban=EUR_IBAN_1)
    # A record written before validation existed: the checksum is wrong.
    Vendor.get(legacy.id).update(actions=[Vendor.iban.set("DE00370400440532013000")])
    good = matched_invoice(three_vendors[0])
    blocked = [matched_invoice(no_bank), matched_invoice(legacy)]

    with pytest.raises(ValidationFailed) as refused:
        build(treasurer)
    assert "No Bank Inc: No bank details are on file." in refused.value.message
    assert "Legacy Import GmbH: The IBAN's check digits do not match" in (
        refused.value.message
    )
    assert {v["name"] for v in refused.value.extra["blocking_vendors"]} == {
        "No Bank Inc",
        "Legacy Import GmbH",
    }
    assert statuses(good, *blocked) == ["matched"] * 3
    # Unticking the blocked vendors' invoices builds the rest.
    run = build(treasurer, invoice_ids=[good.id]).run
    assert run.invoice_ids() == [good.id]


def test_bad_requests_are_refused_and_recorded(treasurer, approver, due_invoices):
    with pytest.raises(ValidationFailed, match="in the past"):
        build(treasurer, payment_date=TODAY - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        build(approver)
    run = build(treasurer).run
    with pytest.raises(PermissionDenied, match="another user must approve"):
        services.payment_run_approve(run_id=run.id, user=treasurer)
    with pytest.raises(InvalidTransition) as not_approved:
        services.payment_run_export(run_id=run.id, user=treasurer)
    assert not_approved.value.message == (
        f"Payment run {run.number} is draft; only approved payment runs can be "
        "exported."
    )
    with pytest.raises(InvalidTransition):
        services.payment_run_confirm(run_id=run.id, user=treasurer)
    assert payment_run_get(run_id=run.id).status == "draft"
    page = audit_history(entity_type="payment_run", entity_id=run.id, limit=50)
    refusals = [json.loads(e.details_json) for e in page.items if e.action == "REFUSED"]
    assert {r["attempted"] for r in refusals} == {"APPROVE", "EXPORT", "CONFIRM"}
    assert any("another user must approve" in r["reason"] for r in refusals)


def test_every_entry_names_the_run_by_number_and_its_invoices(treasurer, due_invoices):
    run = build(treasurer).run
    with pytest.raises(PermissionDenied):
        services.payment_run_approve(run_id=run.id, user=treasurer)
    page = audit_history(entity_type="payment_run", entity_id=run.id, limit=50)
    assert [(e.action, e.record_label) for e in page.items] == [
        ("REFUSED", run.number),
        ("CREATE", run.number),
    ]
    invoice = due_invoices[0]
    (scheduled, *_) = audit_history(entity_type="invoice", entity_id=invoice.id).items
    assert scheduled.action == "SCHEDULE"
    assert scheduled.record_label == f"{invoice.invoice_number} · Acme Supplies GmbH"


def test_confirming_twice_is_refused(treasurer, approver, due_invoices):
    run = build(treasurer).run
    services.payment_run_approve(run_id=run.id, user=approver)
    services.payment_run_export(run_id=run.id, user=treasurer)
    services.payment_run_confirm(run_id=run.id, user=treasurer)
    with pytest.raises(InvalidTransition, match="already confirmed"):
        services.payment_run_confirm(run_id=run.id, user=treasurer)
    assert history_actions("payment_run", run.id).count("CONFIRM") == 1


def test_an_invoice_in_one_run_cannot_go_into_another(
    treasurer, treasurer2, due_invoices
):
    first = build(treasurer, invoice_ids=[due_invoices[0].id]).run
    with pytest.raises(ValidationFailed, match=due_invoices[0].id):
        build(treasurer2, invoice_ids=[due_invoices[0].id, due_invoices[1].id])
    assert statuses(*due_invoices[:2]) == ["scheduled", "matched"]
    second = build(treasurer2).run
    assert due_invoices[0].id not in second.invoice_ids()
    assert first.invoice_ids() == [due_invoices[0].id]


def test_cancel_returns_the_invoices_to_matched(treasurer, approver, due_invoices):
    run = build(treasurer).run
    services.payment_run_approve(run_id=run.id, user=approver)
    with pytest.raises(ValidationFailed, match="Say why"):
        services.payment_run_cancel(run_id=run.id, user=treasurer, reason=" ")
    run = services.payment_run_cancel(
        run_id=run.id, user=treasurer, reason="Wrong payment date"
    )
    assert run.status == "cancelled"
    assert statuses(*due_invoices) == ["matched"] * 4
    assert invoice_get(invoice_id=due_invoices[0].id).payment_run_id is None
    assert history_actions("invoice", due_invoices[0].id)[-2:] == [
        "SCHEDULE",
        "UNSCHEDULE",
    ]
    # Matched again, so the next run can pay them.
    assert build(treasurer).run.invoice_count == 4


def test_a_run_larger_than_one_transaction_is_built_and_paid_in_chunks(
    treasurer, approver, due_invoices, monkeypatch
):
    monkeypatch.setattr(services, "CHUNK_INVOICES", 1)
    run = build(treasurer).run
    assert run.invoice_count == 4
    assert history_actions("payment_run", run.id) == ["CREATE"] + ["ADD_INVOICES"] * 3
    assert payment_run_get(run_id=run.id).invoice_ids() == run.invoice_ids()
    services.payment_run_approve(run_id=run.id, user=approver)
    services.payment_run_export(run_id=run.id, user=treasurer)
    services.payment_run_confirm(run_id=run.id, user=treasurer)
    assert statuses(*due_invoices) == ["paid"] * 4


def test_an_idempotency_key_replays_the_same_run_and_refuses_another_body(
    treasurer, due_invoices
):
    first = build(treasurer, idempotency_key="run-2026-11-27")
    again = build(treasurer, idempotency_key="run-2026-11-27")
    assert again.run.id == first.run.id and not again.created
    with pytest.raises(ValidationFailed, match="different request"):
        build(
            treasurer,
            idempotency_key="run-2026-11-27",
            invoice_ids=[due_invoices[0].id],
        )


def test_changed_bank_details_stop_the_export(
    treasurer, approver, clerk, due_invoices, three_vendors
):
    run = build(treasurer).run
    services.payment_run_approve(run_id=run.id, user=approver)
    acme = three_vendors[0]
    vendor_update(
        vendor_id=acme.id,
        user=clerk,
        changes={"iban": "GB82WEST12345698765432", "bic": "WESTGB2L"},
        version=Vendor.get(acme.id).version,
    )
    with pytest.raises(ValidationFailed, match="bank details changed"):
        services.payment_run_export(run_id=run.id, user=treasurer)
    assert payment_run_get(run_id=run.id).files == []


def test_a_run_whose_payment_date_passed_is_neither_approved_nor_exported(
    treasurer, treasurer2, approver, due_invoices, monkeypatch
):
    # Approved while its date was still ahead, so only the date stops the export.
    approved = build(treasurer2, invoice_ids=[due_invoices[0].id]).run
    services.payment_run_approve(run_id=approved.id, user=approver)
    run = build(treasurer).run
    monkeypatch.setattr(checks, "local_today", lambda: TODAY + dt.timedelta(days=1))
    with pytest.raises(InvalidTransition, match="has passed"):
        services.payment_run_approve(run_id=run.id, user=approver)
    assert payment_run_get(run_id=run.id).status == "draft"
    with pytest.raises(InvalidTransition) as not_exported:
        services.payment_run_export(run_id=approved.id, user=treasurer)
    assert not_exported.value.message == (
        f"Payment run {approved.number} was for {TODAY}, which has passed, so it "
        "cannot be exported: its discounts and due dates were worked out for that "
        "day. Cancel it and build a new run."
    )
    assert payment_run_get(run_id=approved.id).status == "approved"


def test_a_vendor_suspended_after_the_build_stops_the_export(
    treasurer, approver, clerk, due_invoices, three_vendors
):
    run = build(treasurer).run
    services.payment_run_approve(run_id=run.id, user=approver)
    globex = three_vendors[2]
    vendor_update(
        vendor_id=globex.id,
        user=clerk,
        changes={"status": "suspended"},
        version=Vendor.get(globex.id).version,
    )
    with pytest.raises(ValidationFailed, match="Globex Corp: the vendor is suspended"):
        services.payment_run_export(run_id=run.id, user=treasurer)
    assert payment_run_get(run_id=run.id).status == "approved"


def test_a_refused_approve_by_the_builder_is_recorded_and_still_refused(
    treasurer, due_invoices
):
    run = build(treasurer).run
    with pytest.raises(PermissionDenied) as refused:
        services.payment_run_approve(run_id=run.id, user=treasurer)
    assert refused.value.message == (
        f"You cannot approve payment run {run.number}: you built this run; another "
        "user must approve it (nobody approves a run they built)."
    )
    page = audit_history(entity_type="payment_run", entity_id=run.id, limit=50)
    (entry,) = [e for e in page.items if e.action == "REFUSED"]
    assert json.loads(entry.details_json) == {
        "attempted": "APPROVE",
        "reason": refused.value.message,
    }
    assert entry.user_id == "treasurer"


def test_a_refusal_lost_to_an_unreachable_dynamodb_is_logged_not_hidden(
    treasurer, due_invoices, monkeypatch, caplog
):
    run = build(treasurer).run

    def unreachable(entry):
        raise ServiceUnavailable("DynamoDB is out of reach.")

    monkeypatch.setattr(refusals, "audit_entry_write", unreachable)
    with caplog.at_level(logging.WARNING, logger="payments"):
        with pytest.raises(PermissionDenied, match="another user must approve"):
            services.payment_run_approve(run_id=run.id, user=treasurer)
    assert f"refused APPROVE of payment run {run.id} was not recorded" in caplog.text
    assert "ServiceUnavailable" in caplog.text


def test_a_defect_while_recording_a_refusal_is_logged_with_its_traceback(
    treasurer, due_invoices, monkeypatch, caplog
):
    run = build(treasurer).run

    def broken(entry):
        raise TypeError("a defect")

    monkeypatch.setattr(refusals, "audit_entry_write", broken)
    with caplog.at_level(logging.ERROR, logger="payments"):
        with pytest.raises(PermissionDenied, match="another user must approve"):
            services.payment_run_approve(run_id=run.id, user=treasurer)
    (record,) = [r for r in caplog.records if "was not recorded" in r.getMessage()]
    assert record.levelno == logging.ERROR
    assert "TypeError: a defect" in caplog.text


def test_a_draft_whose_payment_date_passed_offers_no_approve_button(
    treasurer, approver, due_invoices, monkeypatch
):
    run = build(treasurer).run
    monkeypatch.setattr(checks, "local_today", lambda: TODAY + dt.timedelta(days=1))
    actions = payment_run_actions(run=payment_run_get(run_id=run.id), user=approver)
    expected = (
        f"Payment run {run.number} was for {TODAY}, which has passed, so it cannot "
        "be approved: its discounts and due dates were worked out for that day. "
        "Cancel it and build a new run."
    )
    assert actions["approve"] == expected
    with pytest.raises(InvalidTransition) as refused:
        services.payment_run_approve(run_id=run.id, user=approver)
    assert refused.value.message == expected


def test_an_export_that_cannot_be_written_names_the_vendor_instead_of_a_500(
    treasurer, approver, three_vendors, matched_invoice
):
    # Stored before input refused non-characters (core.text): straight to the table.
    acme = three_vendors[0]
    Vendor.get(acme.id).update(actions=[Vendor.name.set("Acme\uffffSupplies")])
    matched_invoice(Vendor.get(acme.id), "1000.00")
    run = build(treasurer).run
    services.payment_run_approve(run_id=run.id, user=approver)

    with pytest.raises(ValidationFailed) as refused:
        services.payment_run_export(run_id=run.id, user=treasurer)

    assert "vendor Acme<U+FFFF>Supplies" in refused.value.message
    assert "cannot be written" in refused.value.message
    assert payment_run_get(run_id=run.id).files == []
