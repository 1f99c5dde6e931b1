"""
Importing a bank's answer (issue 17): a pain.002, camt.054 or camt.053 file
read by `payments.bank_messages`, kept in the document storage with its
SHA-256, and its entries applied to the payments of the runs they answer.

- The file is known by the SHA-256 of its content: its `BankStatement` is
  written last, on condition that none has that id, so importing the same
  file again reads nothing and changes nothing, and says so. An import that
  died before writing it is finished by importing the file again (each
  answer below is idempotent).
- Which payment an entry answers: its EndToEndId (`VendorPayment.id`) among
  the transfers of the exported runs (the status index, never a scan) and
  of the runs confirmed lately; else the one transfer with its amount,
  currency and creditor IBAN paid on or before its booking date; an entry
  naming only its file's MsgId (a pain.002 on the whole file, a camt batch
  booking of its total) answers every transfer of that file.
- What it does, each answer one conditional transaction (the run at its
  version) with the run's audit entry naming the file: booked -> the
  payment booked on the bank's date, its invoices paid on that date and its
  credit notes applied, as a confirmation does (payments.services); rejected
  -> its invoices matched again, its credit notes released, the vendor on
  payment hold with the bank's reason; accepted -> only the status. An
  answer the payment already has changes nothing; an answer it cannot take
  (a booking of a rejected payment, a return of one already paid) is listed
  for a person with the entries that match nothing.
- A run whose every transfer is booked or rejected is confirmed by the file
  (payments.services.payment_run_settle).
"""

import datetime as dt
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from accounts.roles import Role, require_role
from audit.entries import actor_id, audit_entry_add, audit_heads_prefetch, entity_key
from core import documents, dynamo
from core.days import site_today
from core.errors import Duplicate, InvalidTransition, StaleRecord, ValidationFailed
from core.writes import MAX_ATTEMPTS, audited_update_add, retry_pause
from invoicing.posting import ledger_payments_record
from payments import bank_messages, events
from payments.bank_messages import BankEntry, BankMessage, Outcome
from payments.events import BANK_STATEMENT_USER
from payments.models import (
    AnsweredPayment,
    BankStatement,
    BankStatus,
    PaymentRun,
    PaymentRunStatus,
    UnmatchedEntry,
    VendorPayment,
)
from payments.selectors import (
    bank_statement_get,
    payment_run_get,
    payment_run_with_message,
    payment_runs_answerable,
)
from payments.services import (
    CHUNK_INVOICES,
    payment_ledger_entry,
    payment_records,
    payment_run_settle,
    records_move_add,
)
from vendors.selectors import vendor_get
from vendors.services import vendor_payment_hold_put

# How long after a run was built a bank may still return one of its transfers.
RETURN_WINDOW_DAYS = 180
# A statement lists at most this many entries for a person (an item holds 400 KB).
MAX_LISTED = 300
# Each record is three items (itself, its entry, its chain head); the run,
# the vendor and their entries take the rest of a transaction's 100.
_CHUNK = CHUNK_INVOICES - 2


def max_bytes() -> int:
    """The largest bank file an import reads (settings.BANK_STATEMENT_MAX_BYTES)."""
    return settings.BANK_STATEMENT_MAX_BYTES


@dataclass(frozen=True)
class BankStatementImport:
    """
    What importing a file did: its record, and whether it had been imported
    before (then every count is 0: this import changed nothing). A dry run's
    record is not stored.
    """

    statement: BankStatement
    already_imported: bool = False
    dry_run: bool = False

    @property
    def id(self) -> str:
        return self.statement.id

    @property
    def message_type(self) -> str:
        return self.statement.message_type

    def _count(self, name: str) -> int:
        return 0 if self.already_imported else getattr(self.statement, name)

    @property
    def entries(self) -> int:
        return self._count("entries")

    @property
    def confirmed(self) -> int:
        return self._count("confirmed")

    @property
    def returned(self) -> int:
        return self._count("returned")

    @property
    def unmatched(self) -> int:
        return self._count("unmatched")

    def summary(self) -> str:
        """What the import did, in a sentence: "3 entries, 2 booked, 1 returned..."."""
        entries = "entry" if self.entries == 1 else "entries"
        return (
            f"{self.entries} {entries}, {self.confirmed} booked, "
            f"{self.returned} returned, {self.unmatched} unmatched"
        )


def bank_statement_import(
    *,
    content: bytes,
    filename: str,
    user,
    source: str = "upload",
    dry_run: bool = False,
) -> BankStatementImport:
    """
    Import a bank's answer (Treasurer, or the command's BANK_STATEMENT_USER):
    read it, keep it, apply its entries (see the module docstring).

    An invalid file is refused with ValidationFailed saying why; `dry_run`
    reads and matches without storing or changing anything.
    """
    if user != BANK_STATEMENT_USER:
        require_role(user, Role.TREASURER, action="import bank statements")
    limit = max_bytes()
    if len(content) > limit:
        raise ValidationFailed(
            f"The file is {len(content):,} bytes; a bank file may have at most "
            f"{limit:,} bytes.",
            {"file": f"At most {limit:,} bytes."},
        )
    sha256 = hashlib.sha256(content).hexdigest()
    if (existing := bank_statement_get(statement_id=sha256)) is not None:
        return BankStatementImport(existing, already_imported=True)
    message = bank_messages.read_bank_message(content, max_bytes=limit)
    now = dynamo.utcnow()
    year = (message.created_at or now).year
    statement = BankStatement(
        sha256,
        message_type=str(message.message_type),
        message_id=message.message_id,
        filename=clean_filename(filename),
        document_key=f"bank-statements/{year}/{sha256}.xml",
        size=len(content),
        source=source,
        imported_by=actor_id(user),
        imported_at=now,
        entries=len(message.entries),
        unmatched_entries=[],
        answered=[],
        confirmed_runs=[],
    )
    if not dry_run:
        _keep(statement, content)
    answers = _Answers(statement=statement, user=user, write=not dry_run)
    answers.apply(message)
    answers.record()
    if dry_run:
        return BankStatementImport(statement, dry_run=True)
    try:
        with dynamo.write_transaction() as transaction:
            transaction.save(statement, condition=BankStatement.id.does_not_exist())
            audit_entry_add(
                transaction,
                events.bank_statement_imported_event(statement=statement, user=user),
            )
    except StaleRecord:
        # The same file, imported at the same moment, was recorded first.
        if (existing := bank_statement_get(statement_id=sha256)) is not None:
            return BankStatementImport(existing, already_imported=True)
        raise
    return BankStatementImport(statement)


def clean_filename(filename: str | None) -> str:
    """The name the file is listed by: its last path part, printable, at most 200."""
    name = os.path.basename((filename or "").replace("\\", "/"))
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:200] or "bank-file.xml"


def _keep(statement: BankStatement, content: bytes) -> None:
    """Store the file under its SHA-256; an earlier attempt may have stored it."""
    try:
        documents.document_save(
            key=statement.document_key,
            content=content,
            content_type="application/xml",
        )
    except Duplicate:
        pass  # the same content: its key is its SHA-256


# --- Matching -------------------------------------------------------------------


def _iban(value: str | None) -> str | None:
    return "".join(value.split()).upper() if value else None


def _reason(entry: BankEntry) -> str | None:
    parts = [p for p in (entry.reason_code, entry.reason_text) if p]
    return " ".join(parts) or None


@dataclass(frozen=True)
class _Target:
    run_id: str
    payment_id: str


class _Candidates:
    """The transfers a file may answer, by EndToEndId and by run."""

    def __init__(self, runs: Iterable[PaymentRun]):
        self.runs: dict[str, PaymentRun] = {}
        self.by_e2e: dict[str, _Target] = {}
        for run in runs:
            self.add(run)

    def add(self, run: PaymentRun) -> None:
        self.runs[run.id] = run
        for payment in run.transfers():
            self.by_e2e[payment.id] = _Target(run.id, payment.id)

    def run_of_message(self, message_id: str | None) -> PaymentRun | None:
        if not message_id:
            return None
        for run in self.runs.values():
            if any(f.message_id == message_id for f in run.files):
                return run
        run = payment_run_with_message(message_id=message_id)
        if run is not None and run.status in (
            PaymentRunStatus.EXPORTED,
            PaymentRunStatus.CONFIRMED,
        ):
            self.add(run)
            return run
        return None

    def targets(self, entry: BankEntry) -> list[_Target]:
        """The payments `entry` answers: one, every transfer of a file, or none."""
        if entry.end_to_end_id and entry.end_to_end_id in self.by_e2e:
            return [self.by_e2e[entry.end_to_end_id]]
        run = self.run_of_message(entry.original_message_id)
        if not entry.end_to_end_id and run is not None:
            # A whole file rejected, accepted or booked at once (batch booking).
            transfers = _file_transfers(run, entry)
            if transfers and (
                entry.amount is None
                or Decimal(entry.amount) == sum(p.amount for p in transfers)
            ):
                return [_Target(run.id, p.id) for p in transfers]
        runs = [run] if run is not None else list(self.runs.values())
        fits = [
            _Target(r.id, p.id)
            for r in runs
            for p in r.transfers()
            if _fits(entry, r, p)
        ]
        return fits if len(fits) == 1 else []


def _file_transfers(run: PaymentRun, entry: BankEntry) -> list[VendorPayment]:
    """The transfers of the run's pain.001 whose MsgId the entry names."""
    for run_file in run.files:
        if run_file.message_id == entry.original_message_id:
            return [
                p
                for p in run.transfers()
                if p.currency == run_file.currency
                and (
                    run_file.paying_account_id is None
                    or p.paying_account_id == run_file.paying_account_id
                )
            ]
    return []


def _fits(entry: BankEntry, run: PaymentRun, payment: VendorPayment) -> bool:
    """The fallback match: amount, currency, creditor IBAN, booked on or after the date."""
    if entry.amount is None or not entry.currency or not entry.creditor_iban:
        return False
    if entry.booking_date and entry.booking_date < dt.date.fromisoformat(
        run.payment_date
    ):
        return False
    return (
        Decimal(entry.amount) == payment.amount
        and entry.currency.upper() == payment.currency
        and _iban(entry.creditor_iban) == _iban(payment.iban)
    )


# --- Deciding and writing --------------------------------------------------------


@dataclass(frozen=True)
class _Decision:
    """What an answer does to a payment: its new status (None: none), whether
    its records are paid or released, the vendor held, a problem to list."""

    status: str | None = None
    move: str | None = None  # "pay", "release" or None
    hold: bool = False
    problem: str | None = None


def _decide(run: PaymentRun, payment: VendorPayment, outcome: Outcome) -> _Decision:
    current = payment.bank_status
    open_answer = current in (None, BankStatus.ACCEPTED)
    if outcome == Outcome.ACCEPTED:
        return _Decision(BankStatus.ACCEPTED.value) if current is None else _Decision()
    if outcome == Outcome.BOOKED:
        if open_answer:
            return _Decision(BankStatus.BOOKED.value, move="pay")
        if current == BankStatus.BOOKED:
            return _Decision(move="pay")  # records an interrupted answer left
        return _Decision(
            problem="The bank rejected this payment earlier and now reports it "
            "booked; its invoices are matched again: check with the bank "
            "before paying them again."
        )
    if current == BankStatus.REJECTED:
        return _Decision(move="release")  # records an interrupted answer left
    if open_answer and run.status == PaymentRunStatus.EXPORTED:
        return _Decision(BankStatus.REJECTED.value, move="release", hold=True)
    return _Decision(
        BankStatus.REJECTED.value,
        hold=True,
        problem="The bank returned this payment after its invoices were paid; "
        "they stay paid: record the refund and pay them again once the vendor's "
        "bank details are right.",
    )


@dataclass
class _Answers:
    """Applies one file's entries, keeping the counts its statement records."""

    statement: BankStatement
    user: object
    write: bool
    confirmed: int = 0
    returned: int = 0
    accepted: int = 0
    unmatched: list[UnmatchedEntry] = field(default_factory=list)
    answered: list[AnsweredPayment] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)
    candidates: _Candidates | None = None

    def apply(self, message: BankMessage) -> None:
        since = dynamo.utcnow() - dt.timedelta(days=RETURN_WINDOW_DAYS)
        self.candidates = _Candidates(payment_runs_answerable(since=since))
        for entry in message.entries:
            targets = self.candidates.targets(entry)
            if not targets:
                self._list(entry)
            for target in targets:
                self.touched.add(target.run_id)
                self._answer(target, entry)
        for run_id in sorted(self.touched):
            self._confirm_if_answered(run_id)

    def record(self) -> None:
        """Put the counts and the lists on the statement."""
        statement = self.statement
        statement.confirmed = self.confirmed
        statement.returned = self.returned
        statement.accepted = self.accepted
        statement.unmatched = len(self.unmatched)
        statement.unmatched_entries = self.unmatched[:MAX_LISTED]
        statement.answered = self.answered[:MAX_LISTED]

    def _list(self, entry: BankEntry, *, problem=None, run=None) -> None:
        self.unmatched.append(
            UnmatchedEntry(
                outcome=str(entry.outcome),
                end_to_end_id=entry.end_to_end_id,
                amount=entry.amount,
                currency=entry.currency,
                iban=entry.creditor_iban,
                booking_date=entry.booking_date and entry.booking_date.isoformat(),
                reason_code=entry.reason_code,
                reason=entry.reason_text,
                reference=entry.reference,
                problem=problem,
                run_id=run and run.id,
                run_number=run and run.number,
            )
        )

    def _run(self, run_id: str) -> PaymentRun | None:
        if self.write:
            return payment_run_get(run_id=run_id)
        return self.candidates.runs.get(run_id)  # a dry run changes its copy

    def _answer(self, target: _Target, entry: BankEntry) -> None:
        for attempt in range(MAX_ATTEMPTS):
            run = self._run(target.run_id)
            index = next(
                (i for i, p in enumerate(run.payments) if p.id == target.payment_id),
                None,
            ) if run else None  # fmt: skip
            if index is None:
                self._list(entry, problem="Its payment run no longer holds it.")
                return
            payment = run.payments[index]
            decision = _decide(run, payment, entry.outcome)
            if decision.problem and decision.status is None:
                self._list(entry, problem=decision.problem, run=run)
                return
            try:
                changed = self._write(run, index, entry, decision)
            except StaleRecord:
                retry_pause(attempt)
                continue
            if changed or payment.bank_statement_id == self.statement.id:
                self._count(run, run.payments[index], entry, decision)
            return
        raise StaleRecord(
            f"Payment {target.payment_id} kept changing while the bank's answer "
            "was applied; import the file again."
        )

    def _count(self, run, payment, entry, decision: _Decision) -> None:
        status = decision.status or payment.bank_status
        if status == BankStatus.BOOKED:
            self.confirmed += 1
        elif status == BankStatus.REJECTED:
            self.returned += 1
        else:
            self.accepted += 1
        if decision.problem:
            self._list(entry, problem=decision.problem, run=run)
        self.answered.append(
            AnsweredPayment(
                run_id=run.id,
                run_number=run.number,
                payment_id=payment.id,
                vendor_id=payment.vendor_id,
                vendor_name=payment.vendor_name,
                currency=payment.currency,
                amount=payment.amount,
                bank_status=status,
                booked_on=payment.booked_on,
                reason_code=payment.bank_reason_code,
                reason=payment.bank_reason,
            )
        )

    def _write(self, run, index: int, entry: BankEntry, decision: _Decision) -> bool:
        """Apply `decision` to the run's payment `index`; return whether its status changed."""
        payment = run.payments[index]
        booked_on = entry.booking_date or site_today()
        records = []
        if decision.move and run.status in (
            PaymentRunStatus.EXPORTED,
            PaymentRunStatus.CONFIRMED,
        ):
            records = payment_records(run, payment) if self.write else []
        if decision.status is None and not records:
            return False
        if not self.write:
            self._change(payment, entry, decision, booked_on)
            return decision.status is not None
        first = decision.status is not None
        entry_made = first and events.payment_bank_answered_event(
            run=run,
            payment=payment,
            user=self.user,
            statement=self.statement,
            status=decision.status,
            booked_on=booked_on.isoformat()
            if decision.status == BankStatus.BOOKED
            else None,
            reason_code=entry.reason_code
            if decision.status == BankStatus.REJECTED
            else None,
            reason=entry.reason_text
            if decision.status == BankStatus.REJECTED
            else None,
        )
        vendor = vendor_get(vendor_id=payment.vendor_id) if decision.hold else None
        status_after = decision.status or payment.bank_status
        for start in range(0, max(len(records), 1), _CHUNK):
            chunk = records[start : start + _CHUNK]
            with dynamo.write_transaction() as transaction:
                keys = [entity_key("payment_run", run.id)]
                keys += [entity_key("invoice", r.id) for r in chunk]
                if first and vendor is not None:
                    keys.append(entity_key("vendor", vendor.id))
                audit_heads_prefetch(transaction, keys)
                if first:
                    self._change(payment, entry, decision, booked_on)
                    committed = audited_update_add(
                        transaction,
                        run,
                        {"payments": run.payments, "updated_at": dynamo.utcnow()},
                        entry=entry_made,
                        condition=PaymentRun.status == run.status,
                    )
                    if vendor is not None:
                        vendor_payment_hold_put(
                            transaction=transaction,
                            vendor=vendor,
                            reason=self._hold_reason(run, payment, entry),
                            user=self.user,
                        )
                else:
                    transaction.condition_check(
                        PaymentRun,
                        run.id,
                        condition=(PaymentRun.payments[index]["id"] == payment.id)
                        & (PaymentRun.payments[index]["bank_status"] == status_after),
                    )
                records_move_add(
                    transaction,
                    run,
                    chunk,
                    user=self.user,
                    pay=decision.move == "pay",
                    paid_on=booked_on,
                )
            if first:
                committed()
                first = False
        if status_after == BankStatus.BOOKED:
            ledger_payments_record(
                [payment_ledger_entry(run, payment, on_date=booked_on)]
            )
        return decision.status is not None

    def _change(self, payment, entry: BankEntry, decision: _Decision, booked_on):
        """Set the answer on the payment (of a run read for this attempt)."""
        if decision.status is None:
            return
        payment.bank_status = decision.status
        payment.bank_statement_id = self.statement.id
        if decision.status == BankStatus.BOOKED:
            payment.booked_on = booked_on.isoformat()
        elif decision.status == BankStatus.REJECTED:
            payment.bank_reason_code = entry.reason_code
            payment.bank_reason = entry.reason_text

    def _hold_reason(self, run, payment, entry: BankEntry) -> str:
        reason = _reason(entry) or "no reason given"
        return f"Bank returned payment {payment.id} of run {run.number}: {reason}"

    def _confirm_if_answered(self, run_id: str) -> None:
        run = self._run(run_id)
        if run is None or run.status != PaymentRunStatus.EXPORTED:
            return
        transfers = run.transfers()
        if not transfers or any(
            p.bank_status not in (BankStatus.BOOKED, BankStatus.REJECTED)
            for p in transfers
        ):
            return
        if self.write:

            def event(run):
                return events.payment_run_confirmed_by_bank_event(
                    run=run, user=self.user, statement=self.statement
                )

            try:
                payment_run_settle(run=run, user=self.user, event=event)
            except InvalidTransition:
                return  # confirmed by someone else meanwhile
        self.statement.confirmed_runs = [*self.statement.confirmed_runs, run.number]
