"""Importing the bank's answer: what a treasurer sees on the run, its invoices and vendors."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from audit.selectors import audit_history
from core import documents
from core.errors import PermissionDenied, ValidationFailed
from invoicing.models import LedgerEntry
from invoicing.selectors import invoice_get
from payments import services
from payments.bank_answers import bank_statement_import
from payments.bank_messages import BankEntry, Outcome
from payments.events import BANK_STATEMENT_USER
from payments.selectors import bank_statement_get, bank_statement_list
from tests.conftest import TODAY, make_user
from tests.payments.bank_answer_helpers import BOOKED_ON, booked, camt054, pain002
from vendors.selectors import vendor_get

REJECTED = ("bureau", Outcome.REJECTED, "AC04", "Account closed")


def importing(bank_files, message, user, filename="answer.xml"):
    content = bank_files.add(message)
    return content, bank_statement_import(content=content, filename=filename, user=user)


def counts(result):
    return (result.entries, result.confirmed, result.returned, result.unmatched)


def run_history(run):
    page = audit_history(entity_type="payment_run", entity_id=run.id, limit=100)
    return page.items


def test_a_rejection_and_a_booking_leave_one_invoice_matched_and_the_run_confirmed(
    bank_files, exported_run, treasurer
):
    run = exported_run
    status = pain002(
        run,
        REJECTED,
        ("acme", Outcome.ACCEPTED, None, None),
        ("cabinet", Outcome.ACCEPTED, None, None),
    )
    _, rejected = importing(bank_files, status, treasurer, "pain002.xml")

    assert counts(rejected) == (3, 0, 1, 0)
    assert not rejected.already_imported
    assert run.statuses("bureau") == ["matched"]
    assert run.statuses("acme") == ["scheduled", "scheduled"]
    bureau = run.payment("bureau")
    assert (bureau.bank_status, bureau.bank_reason_code) == ("rejected", "AC04")
    assert bureau.bank_reason == "Account closed"
    assert run.payment("acme").bank_status == "accepted"
    vendor = vendor_get(vendor_id=run.vendors["bureau"].id)
    assert vendor.on_payment_hold(TODAY)
    assert vendor.payment_hold_reason == (
        f"Bank returned payment {bureau.id} of run {run.run.number}: "
        "AC04 Account closed"
    )
    assert run.fresh().status == "exported"

    notification = camt054(booked(run, "acme"), booked(run, "cabinet"))
    _, booking = importing(bank_files, notification, treasurer, "camt054.xml")

    assert counts(booking) == (2, 2, 0, 0)
    assert run.statuses("acme") == ["paid", "paid"]
    assert run.statuses("cabinet") == ["paid"]
    assert run.statuses("bureau") == ["matched"]
    paid = invoice_get(invoice_id=run.invoices["acme"][0].id)
    assert paid.paid_on == BOOKED_ON.isoformat()
    assert paid.paid_amount == Decimal("1000.00")
    acme = run.payment("acme")
    assert (acme.bank_status, acme.booked_on) == ("booked", BOOKED_ON.isoformat())
    confirmed = run.fresh()
    assert confirmed.status == "confirmed"
    assert confirmed.confirmed_by == "treasurer"
    assert bank_statement_get(statement_id=booking.id).confirmed_runs == [
        confirmed.number
    ]


def test_the_ledger_shows_booked_payments_on_their_booking_date_and_no_rejected_one(
    bank_files, exported_run, treasurer
):
    run = exported_run
    importing(bank_files, pain002(run, REJECTED), treasurer)
    importing(
        bank_files, camt054(booked(run, "acme"), booked(run, "cabinet")), treasurer
    )

    def ledger(name):
        key = LedgerEntry.payment_key(run.run.id, run.vendors[name].id, "EUR")
        try:
            return LedgerEntry.get(key, consistent_read=True)
        except LedgerEntry.DoesNotExist:
            return None

    assert ledger("acme").posting_date == BOOKED_ON.isoformat()
    assert ledger("acme").amount == Decimal("1250.50")
    assert ledger("bureau") is None


def test_importing_either_file_again_changes_nothing_and_says_so(
    bank_files, exported_run, treasurer
):
    run = exported_run
    first, _ = importing(bank_files, pain002(run, REJECTED), treasurer)
    second, _ = importing(
        bank_files, camt054(booked(run, "acme"), booked(run, "cabinet")), treasurer
    )
    version, trail = run.fresh().version, len(run_history(run.run))
    vendor_version = vendor_get(vendor_id=run.vendors["bureau"].id).version

    for content in (first, second):
        again = bank_statement_import(content=content, filename="x.xml", user=treasurer)
        assert again.already_imported
        assert counts(again) == (0, 0, 0, 0)

    assert run.fresh().version == version
    assert len(run_history(run.run)) == trail
    assert vendor_get(vendor_id=run.vendors["bureau"].id).version == vendor_version
    assert bank_statement_list(limit=10).items[0].filename == "answer.xml"
    assert len(bank_statement_list(limit=10).items) == 2


def test_an_answer_a_payment_already_has_changes_nothing(
    bank_files, exported_run, treasurer
):
    run = exported_run
    importing(bank_files, camt054(booked(run, "acme")), treasurer)
    version = run.fresh().version

    _, statement = importing(
        bank_files, camt054(booked(run, "acme"), message_id="STATEMENT-2"), treasurer
    )

    assert counts(statement) == (1, 0, 0, 0)
    assert run.fresh().version == version


def test_the_file_is_kept_under_its_sha256(bank_files, exported_run, treasurer):
    content, result = importing(bank_files, pain002(exported_run, REJECTED), treasurer)

    statement = bank_statement_get(statement_id=result.id)
    digest = hashlib.sha256(content).hexdigest()
    assert statement.id == digest
    assert statement.document_key == f"bank-statements/{TODAY.year}/{digest}.xml"
    with documents.document_open(key=statement.document_key) as stored:
        assert stored.read() == content
    assert (statement.message_type, statement.message_id) == ("pain.002", "STATUS-1")
    assert (statement.size, statement.imported_by) == (len(content), "treasurer")


def test_each_change_has_an_audit_entry_naming_the_file(
    bank_files, exported_run, treasurer
):
    run = exported_run
    _, result = importing(bank_files, pain002(run, REJECTED), treasurer, "status.xml")

    entry = run_history(run.run)[0]
    assert entry.action == "REJECT"
    assert entry.details["bank_file"] == {
        "statement_id": result.id,
        "filename": "status.xml",
        "sha256": result.id,
        "message_type": "pain.002",
        "message_id": "STATUS-1",
    }
    assert entry.details["after"]["bank_reason"] == "Account closed"
    vendor_entry = audit_history(
        entity_type="vendor", entity_id=run.vendors["bureau"].id, limit=1
    ).items[0]
    assert vendor_entry.action == "HOLD"
    statement_entry = audit_history(
        entity_type="bank_statement", entity_id=result.id, limit=1
    ).items[0]
    assert statement_entry.details["returned"] == 1


def test_entries_matching_no_payment_are_listed_for_a_person(
    bank_files, exported_run, treasurer
):
    run = exported_run
    stranger = BankEntry(
        outcome=Outcome.BOOKED,
        end_to_end_id="NOTPROVIDED",
        amount=Decimal("42.00"),
        currency="EUR",
        creditor_iban="DE02120300000000202051",
        booking_date=BOOKED_ON,
        reference="BANK-REF-9",
    )
    _, result = importing(bank_files, camt054(booked(run, "acme"), stranger), treasurer)

    assert counts(result) == (2, 1, 0, 1)
    [listed] = bank_statement_get(statement_id=result.id).unmatched_entries
    assert (listed.end_to_end_id, listed.amount, listed.reference) == (
        "NOTPROVIDED",
        Decimal("42.00"),
        "BANK-REF-9",
    )
    assert listed.iban == "DE02120300000000202051"
    assert listed.booking_date == BOOKED_ON.isoformat()
    assert run.fresh().status == "exported"


def test_an_entry_without_end_to_end_id_matches_by_amount_currency_iban_and_date(
    bank_files, exported_run, treasurer
):
    run = exported_run
    _, result = importing(
        bank_files, camt054(booked(run, "cabinet", e2e=False)), treasurer
    )

    assert counts(result) == (1, 1, 0, 0)
    assert run.statuses("cabinet") == ["paid"]


def test_a_booking_before_the_payment_date_matches_nothing_without_end_to_end_id(
    bank_files, exported_run, treasurer
):
    run = exported_run
    early = booked(run, "cabinet", e2e=False, on=TODAY - dt.timedelta(days=1))
    _, result = importing(bank_files, camt054(early), treasurer)

    assert counts(result) == (1, 0, 0, 1)
    assert run.statuses("cabinet") == ["scheduled"]


def test_a_status_report_rejecting_the_whole_file_rejects_every_transfer(
    bank_files, exported_run, treasurer
):
    run = exported_run
    whole = BankEntry(
        outcome=Outcome.REJECTED,
        original_message_id=run.pain001.message_id,
        reason_code="FF01",
        reason_text="Invalid file format",
    )
    status = pain002(run)
    status = type(status)(
        status.message_type, status.message_id, status.created_at, (whole,)
    )
    _, result = importing(bank_files, status, treasurer)

    assert counts(result) == (1, 0, 3, 0)
    for name in ("acme", "bureau", "cabinet"):
        assert set(run.statuses(name)) == {"matched"}
    # Every transfer has an answer: the run is done.
    assert run.fresh().status == "confirmed"


def test_a_return_after_booking_is_recorded_and_listed_the_invoices_stay_paid(
    bank_files, exported_run, treasurer
):
    run = exported_run
    importing(
        bank_files,
        camt054(booked(run, "acme"), booked(run, "bureau"), booked(run, "cabinet")),
        treasurer,
    )
    assert run.fresh().status == "confirmed"
    returned = booked(
        run, "acme", outcome=Outcome.REJECTED, reason_code="AC04", reason_text="Closed"
    )
    _, result = importing(bank_files, camt054(returned, message_id="N-2"), treasurer)

    assert counts(result) == (1, 0, 1, 1)
    assert run.payment("acme").bank_status == "rejected"
    assert run.statuses("acme") == ["paid", "paid"]
    assert vendor_get(vendor_id=run.vendors["acme"].id).on_payment_hold(TODAY)
    [listed] = bank_statement_get(statement_id=result.id).unmatched_entries
    assert "stay paid" in listed.problem
    assert listed.run_number == run.run.number


def test_manual_confirm_after_a_rejection_pays_only_the_unanswered_payments(
    bank_files, exported_run, treasurer
):
    run = exported_run
    importing(bank_files, pain002(run, REJECTED), treasurer)

    services.payment_run_confirm(run_id=run.run.id, user=treasurer)

    assert run.statuses("bureau") == ["matched"]
    assert run.statuses("acme") == ["paid", "paid"]
    assert invoice_get(invoice_id=run.invoices["acme"][0].id).paid_on == (
        TODAY.isoformat()
    )
    key = LedgerEntry.payment_key(run.run.id, run.vendors["bureau"].id, "EUR")
    with pytest.raises(LedgerEntry.DoesNotExist):
        LedgerEntry.get(key, consistent_read=True)


def test_the_command_user_imports_and_the_run_names_it(
    bank_files, exported_run, treasurer
):
    run = exported_run
    every = camt054(*(booked(run, n) for n in ("acme", "bureau", "cabinet")))
    _, result = importing(bank_files, every, BANK_STATEMENT_USER)

    assert result.confirmed == 3
    assert run.fresh().confirmed_by == "bank_statement"


def test_only_a_verified_treasurer_imports(bank_files, exported_run, clerk):
    message = pain002(exported_run, REJECTED)
    with pytest.raises(PermissionDenied, match="Only Treasurer"):
        importing(bank_files, message, clerk)
    unverified = make_user("treasurer3", "Treasurer", second_factor=False)
    with pytest.raises(PermissionDenied, match="second factor"):
        importing(bank_files, message, unverified)
    assert exported_run.statuses("bureau") == ["scheduled"]


def test_an_invalid_file_is_refused_with_the_reason(bank_files, treasurer, media):
    with pytest.raises(ValidationFailed, match="not an ISO 20022"):
        bank_statement_import(content=b"<nope/>", filename="x.xml", user=treasurer)


def test_a_file_over_the_limit_is_refused(bank_files, treasurer, settings, media):
    settings.BANK_STATEMENT_MAX_BYTES = 10
    with pytest.raises(ValidationFailed, match="at most 10 bytes"):
        bank_statement_import(content=b"x" * 11, filename="x.xml", user=treasurer)


def test_a_dry_run_changes_nothing(bank_files, exported_run, treasurer):
    run = exported_run
    content = bank_files.add(pain002(run, REJECTED))
    result = bank_statement_import(
        content=content, filename="x.xml", user=treasurer, dry_run=True
    )

    assert (result.dry_run, result.returned) == (True, 1)
    assert run.statuses("bureau") == ["scheduled"]
    assert bank_statement_get(statement_id=result.id) is None
