"""
Payment runs net open credit notes (issue 15): what a treasurer, the bank
and the vendor see, and what happens to a credit note on confirm and cancel.
"""

import datetime as dt
import json
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse
from pynamodb import transactions

from accounts.roles import user_roles
from audit.changes import entries_changes
from audit.selectors import audit_history
from core import documents
from invoicing.selectors import invoice_get
from payments import services
from payments.pain001 import NAMESPACE, pain001_errors
from payments.selectors import payment_run_get, payment_run_proposal
from tests.api_client import bearer, send
from tests.conftest import TODAY, run_together

NS = {"p": NAMESPACE}


def build(user, **fields):
    return services.payment_run_create(user=user, payment_date=TODAY, **fields)


def export(run, treasurer, approver):
    services.payment_run_approve(run_id=run.id, user=approver)
    return services.payment_run_export(run_id=run.id, user=treasurer)


def stored_file(run, name):
    [run_file] = [f for f in run.files if f.name == name]
    with documents.document_open(key=run_file.key) as stored:
        return stored.read()


def transfers(xml):
    root = ET.fromstring(xml)
    return root, {
        tx.find("p:Cdtr/p:Nm", NS).text: tx
        for tx in root.findall(".//p:CdtTrfTxInf", NS)
    }


def stored(record):
    return invoice_get(invoice_id=record.id)


def history_actions(record):
    page = audit_history(entity_type="invoice", entity_id=record.id, limit=50)
    return [entry.action for entry in reversed(page.items)]


def payment_of(run, vendor):
    [payment] = [p for p in run.payments if p.vendor_id == vendor.id]
    return payment


def test_a_credit_note_is_netted_in_the_bank_file_and_applied_on_confirm(
    treasurer, approver, three_vendors, matched_invoice, credit_note
):
    acme, bureau, _ = three_vendors
    invoice = matched_invoice(acme, "1000.00")
    other = matched_invoice(
        bureau, "300.00", invoice_date=TODAY - dt.timedelta(days=40)
    )
    credit = credit_note(acme, "200.00", number="CN-200", credits=invoice)

    run = build(treasurer).run
    payment = payment_of(run, acme)
    assert (payment.amount, payment.invoiced, payment.credited) == (
        Decimal("800.00"),
        Decimal("1000.00"),
        Decimal("200.00"),
    )
    [applied] = payment.credits_applied
    assert (applied.credit_note_number, applied.amount) == ("CN-200", Decimal("200.00"))
    assert (stored(credit).status, stored(credit).payment_run_id) == (
        "scheduled",
        run.id,
    )
    assert payment_run_get(run_id=run.id).credit_applications()[credit.id].amount == (
        Decimal("200.00")
    )

    run = export(run, treasurer, approver)
    xml = stored_file(run, "pain001-EUR.xml")
    assert pain001_errors(xml) == []
    root, by_name = transfers(xml)
    assert root.find(".//p:GrpHdr/p:NbOfTxs", NS).text == "2"
    assert root.find(".//p:GrpHdr/p:CtrlSum", NS).text == "1100.00"  # 800 + 300
    assert root.find(".//p:PmtInf/p:CtrlSum", NS).text == "1100.00"
    acme_tx = by_name["Acme Supplies GmbH"]
    assert acme_tx.find("p:Amt/p:InstdAmt", NS).text == "800.00"
    assert acme_tx.find("p:RmtInf/p:Ustrd", NS).text == (
        f"{invoice.invoice_number}, credit CN-200 -200.00"
    )
    assert by_name["Bureau Fournitures SA"].find("p:RmtInf/p:Ustrd", NS).text == (
        other.invoice_number
    )

    summary = json.loads(stored_file(run, "summary.json"))
    [acme_summary] = [p for p in summary["payments"] if p["vendor_id"] == acme.id]
    assert acme_summary["amount"] == "800.00"
    assert acme_summary["invoiced"] == "1000.00"
    assert acme_summary["credits_applied"] == [
        {
            "credit_note_id": credit.id,
            "credit_note_number": "CN-200",
            "open_amount": "200.00",
            "amount": "200.00",
        }
    ]
    assert summary["totals"]["EUR"]["amount"] == "1100.00"
    assert summary["totals"]["EUR"]["credited"] == "200.00"

    services.payment_run_confirm(run_id=run.id, user=treasurer)
    assert stored(invoice).status == "paid"
    applied_credit = stored(credit)
    assert (applied_credit.status, applied_credit.credit_open) == (
        "applied",
        Decimal("0.00"),
    )
    assert applied_credit.payment_run_id == run.id
    assert history_actions(credit) == ["SCHEDULE", "APPLY_CREDIT"]
    [created] = [
        e
        for e in audit_history(entity_type="payment_run", entity_id=run.id).items
        if e.action == "CREATE"
    ]
    assert created.details["credits_applied"] == ["CN-200 EUR -200.00"]
    assert created.details["totals"] == {"EUR": "1100.00"}
    # Applied once: the next run has nothing to net.
    later = matched_invoice(acme, "50.00")
    proposal = payment_run_proposal(user=treasurer, payment_date=TODAY)
    [again] = [p for p in proposal.payments if p.vendor.id == acme.id]
    assert [i.invoice.id for i in again.invoices] == [later.id]
    assert again.credits == [] and again.amount == Decimal("50.00")


def test_credits_above_the_invoices_pay_nothing_and_the_rest_stays_open(
    treasurer, approver, three_vendors, matched_invoice, credit_note
):
    acme, bureau, _ = three_vendors
    invoice = matched_invoice(acme, "150.00")
    matched_invoice(bureau, "300.00", invoice_date=TODAY - dt.timedelta(days=40))
    credit = credit_note(acme, "200.00")

    run = build(treasurer).run
    payment = payment_of(run, acme)
    assert payment.amount == Decimal("0.00")
    assert [c.amount for c in payment.credits_applied] == [Decimal("150.00")]
    assert [p.vendor_id for p in run.transfers()] == [bureau.id]

    run = export(run, treasurer, approver)
    root, by_name = transfers(stored_file(run, "pain001-EUR.xml"))
    assert list(by_name) == ["Bureau Fournitures SA"]  # no transfer for Acme
    assert root.find(".//p:GrpHdr/p:NbOfTxs", NS).text == "1"
    assert root.find(".//p:GrpHdr/p:CtrlSum", NS).text == "300.00"

    services.payment_run_confirm(run_id=run.id, user=treasurer)
    assert stored(invoice).status == "paid"  # settled by the credit
    rest = stored(credit)
    assert (rest.status, rest.credit_open, rest.payment_run_id) == (
        "matched",
        Decimal("50.00"),
        None,
    )
    [entry] = [
        e
        for e in audit_history(entity_type="invoice", entity_id=credit.id).items
        if e.action == "APPLY_CREDIT"
    ]
    assert entry.details["applied"] == "150.00"
    assert entry.details["before"] == {
        "status": "scheduled",
        "credit_open_amount": "200.00",
    }
    assert entry.details["after"] == {
        "status": "matched",
        "credit_open_amount": "50.00",
    }
    [(_, changes)] = entries_changes([entry])
    shown = [change.text for change in changes]
    assert "Credit still open: EUR 200.00 → EUR 50.00" in shown
    assert "Netted in the run: EUR 150.00" in shown

    # The next run nets what was left open.
    matched_invoice(acme, "120.00")
    payment = payment_of(build(treasurer).run, acme)
    assert payment.amount == Decimal("70.00")
    assert [(c.open_amount, c.amount) for c in payment.credits_applied] == [
        (Decimal("50.00"), Decimal("50.00"))
    ]


def test_a_run_of_credit_settled_payments_only_writes_no_bank_file(
    treasurer, approver, three_vendors, matched_invoice, credit_note
):
    acme = three_vendors[0]
    invoice = matched_invoice(acme, "100.00")
    credit_note(acme, "100.00")
    run = export(build(treasurer).run, treasurer, approver)
    assert [f.name for f in run.files] == ["summary.json"]
    run = services.payment_run_confirm(run_id=run.id, user=treasurer)
    assert stored(invoice).status == "paid"


def test_cancelling_the_run_releases_the_credit_whole(
    treasurer, three_vendors, matched_invoice, credit_note
):
    acme = three_vendors[0]
    invoice = matched_invoice(acme, "150.00")
    credit = credit_note(acme, "200.00")
    run = build(treasurer).run
    services.payment_run_cancel(run_id=run.id, user=treasurer, reason="Wrong date")
    released = stored(credit)
    assert (released.status, released.payment_run_id) == ("matched", None)
    assert released.credit_open == Decimal("200.00")
    assert stored(invoice).status == "matched"
    assert history_actions(credit) == ["SCHEDULE", "UNSCHEDULE"]
    assert payment_of(build(treasurer).run, acme).credits_applied[0].amount == (
        Decimal("150.00")
    )


def test_credits_apply_oldest_first_and_a_partly_used_one_stays_open(
    treasurer, approver, three_vendors, matched_invoice, credit_note
):
    acme = three_vendors[0]
    matched_invoice(acme, "300.00")
    newer = credit_note(acme, "200.00", days_ago=3, number="CN-NEW")
    older = credit_note(acme, "200.00", days_ago=30, number="CN-OLD")
    unused = credit_note(acme, "80.00", days_ago=1, number="CN-LAST")
    run = build(treasurer).run
    payment = payment_of(run, acme)
    assert [(c.credit_note_number, c.amount) for c in payment.credits_applied] == [
        ("CN-OLD", Decimal("200.00")),
        ("CN-NEW", Decimal("100.00")),
    ]
    assert payment.amount == Decimal("0.00")
    assert stored(unused).status == "matched"  # nets nothing: not in the run
    export(run, treasurer, approver)
    services.payment_run_confirm(run_id=run.id, user=treasurer)
    assert stored(older).status == "applied"
    assert (stored(newer).status, stored(newer).credit_open) == (
        "matched",
        Decimal("100.00"),
    )


def test_a_vendor_with_only_credits_is_not_in_the_run(
    treasurer, three_vendors, matched_invoice, credit_note
):
    acme, bureau, _ = three_vendors
    matched_invoice(acme, "100.00")
    credit = credit_note(bureau, "60.00")
    proposal = payment_run_proposal(user=treasurer, payment_date=TODAY)
    assert [p.vendor.id for p in proposal.payments] == [acme.id]
    run = build(treasurer).run
    assert [p.vendor_id for p in run.payments] == [acme.id]
    assert run.credit_applications() == {}
    assert stored(credit).status == "matched"


def test_the_discount_is_taken_on_the_invoice_and_the_credit_nets_after_it(
    treasurer, three_vendors, matched_invoice, credit_note
):
    bureau = three_vendors[1]  # 2/10 Net 30
    matched_invoice(bureau, "1234.57", invoice_date=TODAY - dt.timedelta(days=5))
    credit_note(bureau, "100.00")
    payment = payment_of(build(treasurer).run, bureau)
    assert payment.discount == Decimal("24.69")  # 2% of 1,234.57: base not reduced
    assert payment.amount == Decimal("1109.88")  # 1,234.57 - 24.69 - 100.00


def test_unticking_the_invoices_a_credit_would_net_leaves_it_open(
    treasurer, three_vendors, matched_invoice, credit_note
):
    acme, bureau, _ = three_vendors
    acme_invoice = matched_invoice(acme, "100.00")
    paid = matched_invoice(bureau, "300.00", invoice_date=TODAY - dt.timedelta(days=40))
    credit = credit_note(acme, "60.00")
    run = build(treasurer, invoice_ids=[paid.id]).run
    assert run.credit_applications() == {}
    assert stored(credit).status == "matched"
    assert stored(acme_invoice).status == "matched"


def test_every_transaction_stays_within_100_items_and_credits_share_the_chunk(
    treasurer, three_vendors, matched_invoice, credit_note, monkeypatch
):
    """With 26 invoices a chunk, Acme's 3 credits and 20 invoices go in one,
    Bureau's 20 invoices start the next; every write is at most 100 items."""
    acme, bureau, _ = three_vendors
    sizes = []
    commit = transactions.TransactWrite._commit

    def counted(self):
        sizes.append(
            len(self._condition_check_items)
            + len(self._delete_items)
            + len(self._put_items)
            + len(self._update_items)
        )
        return commit(self)

    for _ in range(20):
        matched_invoice(acme, "10.00")
        matched_invoice(bureau, "10.00", invoice_date=TODAY - dt.timedelta(days=40))
    credits = [credit_note(acme, "30.00", days_ago=d) for d in (30, 20, 10)]
    monkeypatch.setattr(services, "CHUNK_INVOICES", 26)
    monkeypatch.setattr(transactions.TransactWrite, "_commit", counted)
    built = build(treasurer)
    monkeypatch.undo()
    run = payment_run_get(run_id=built.run.id)
    assert len(sizes) == 2 and max(sizes) <= 100
    acme_payment = payment_of(run, acme)
    assert acme_payment.amount == Decimal("110.00")  # 200.00 - 3 x 30.00
    assert payment_of(run, bureau).amount == Decimal("200.00")
    assert all(stored(c).status == "scheduled" for c in credits)

    # The real chunk size leaves room for a run's 18 items at every step.
    assert services.RUN_ITEMS + 3 * services.CHUNK_INVOICES <= 100


def test_a_vendor_split_across_chunks_is_consistent_after_each_chunk(
    treasurer, three_vendors, matched_invoice, credit_note, monkeypatch
):
    acme = three_vendors[0]
    for _ in range(5):
        matched_invoice(acme, "10.00")
    credit_note(acme, "35.00")
    monkeypatch.setattr(services, "CHUNK_INVOICES", 2)
    run = payment_run_get(run_id=build(treasurer).run.id)
    payment = payment_of(run, acme)
    assert len(payment.invoices) == 5
    assert (payment.amount, payment.credited) == (Decimal("15.00"), Decimal("35.00"))
    creates = [
        e
        for e in audit_history(entity_type="payment_run", entity_id=run.id).items
        if e.action in ("CREATE", "ADD_INVOICES")
    ]
    # The credit went with the first invoice; the transfer after each chunk
    # (10 - 35, 30 - 35, 50 - 35) never goes below zero.
    assert [e.details["totals"]["EUR"] for e in reversed(creates)] == [
        "0.00",
        "0.00",
        "15.00",
    ]


def test_the_api_shows_the_credits_applied_per_payment(
    treasurer, three_vendors, matched_invoice, credit_note
):
    acme = three_vendors[0]
    matched_invoice(acme, "1000.00")
    credit = credit_note(acme, "200.00", number="CN-API")
    created = send(
        "post", "/api/v1/payment-runs", {"payment_date": TODAY.isoformat()},
        bearer(treasurer),
    )  # fmt: skip
    assert created.status_code == 201, created.content
    [payment] = created.json()["payments"]
    assert payment["amount"] == "800.00"
    assert payment["credits_applied"] == [
        {
            "credit_note_id": credit.id,
            "credit_note_number": "CN-API",
            "open_amount": "200.00",
            "amount": "200.00",
        }
    ]
    got = Client().get(
        f"/api/v1/payment-runs/{created.json()['id']}", **bearer(treasurer)
    )
    assert got.json()["payments"][0]["credits_applied"][0]["amount"] == "200.00"


def test_the_openapi_document_describes_credits_applied():
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    payment = schemas["VendorPaymentOut"]
    assert "credits_applied" in payment["properties"]
    assert "credits_applied" not in payment.get("required", [])
    assert set(schemas["AppliedCreditOut"]["properties"]) == {
        "credit_note_id",
        "credit_note_number",
        "open_amount",
        "amount",
    }


def test_the_proposal_and_run_pages_show_credits_and_the_net_transfer(
    treasurer, three_vendors, matched_invoice, credit_note
):
    acme = three_vendors[0]
    matched_invoice(acme, "1000.00")
    credit_note(acme, "200.00", number="CN-<b>7")
    client = Client()
    client.force_login(treasurer)
    page = client.get(
        reverse("payments:create"), {"payment_date": TODAY.isoformat(), "currency": ""}
    ).content.decode()
    assert "Credit note" in page and "CN-&lt;b&gt;7" in page
    assert "−EUR 200.00" in page
    assert "Net transfer to Acme Supplies GmbH" in page
    assert "EUR 800.00" in page
    run = build(treasurer).run
    page = client.get(reverse("payments:detail", args=[run.id])).content.decode()
    assert "Credit notes netted, oldest first" in page
    assert "CN-&lt;b&gt;7" in page and "CN-<b>7" not in page
    assert "Transfer EUR 800.00" in page
    assert "net of EUR 200.00 credits" in page
    # The credit note's own page names the run that holds it.
    credit = next(iter(run.credit_applications()))
    page = client.get(reverse("invoicing:detail", args=[credit]))
    assert page.status_code == 200 and run.number in page.content.decode()


# --- Races (DynamoDB Local: moto loses conditional updates under threads) -------


@pytest.mark.dynamodb_local_only
def test_two_runs_built_at_once_apply_one_credit_note_once(
    treasurer, treasurer2, three_vendors, matched_invoice, credit_note
):
    acme = three_vendors[0]
    first = matched_invoice(acme, "500.00")
    second = matched_invoice(acme, "700.00")
    credit = credit_note(acme, "200.00")
    # Read the roles now: threads must not share the test's SQLite connection.
    assert user_roles(treasurer) and user_roles(treasurer2)
    built = []

    def build_with(user, invoice):
        return lambda: built.append(build(user, invoice_ids=[invoice.id]))

    outcomes = run_together(
        [build_with(treasurer, first), build_with(treasurer2, second)]
    )
    assert outcomes == ["ok", "ok"]
    runs = [payment_run_get(run_id=b.run.id) for b in built]
    netting = [run for run in runs if run.credit_applications()]
    assert len(netting) == 1  # one run applies the credit note, the other pays all
    [winner] = netting
    [loser] = [run for run in runs if run is not winner]
    assert (stored(credit).status, stored(credit).payment_run_id) == (
        "scheduled",
        winner.id,
    )
    assert winner.payments[0].credited == Decimal("200.00")
    assert loser.payments[0].credited == 0
    assert sorted(r.payments[0].amount for r in runs) == sorted(
        [
            winner.payments[0].invoiced - Decimal("200.00"),
            loser.payments[0].invoiced,
        ]
    )
    assert history_actions(credit) == ["SCHEDULE"]
