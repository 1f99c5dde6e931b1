"""
What the bank-answer tests share: an exported run of three EUR vendors, and
bank files as the parsers read them (BankMessage values, stood in for the
bytes of a file so the service's matching and writing are tested alone).
"""

import datetime as dt
import uuid

import pytest

from invoicing.selectors import invoice_get
from payments import bank_messages, services
from payments.bank_messages import BankEntry, BankMessage, MessageType, Outcome
from payments.selectors import payment_run_get
from tests.conftest import EUR_IBAN_1, EUR_IBAN_2, TODAY

NL_IBAN = "NL91ABNA0417164300"
BOOKED_ON = TODAY + dt.timedelta(days=1)


class StoodInFiles:
    """Bytes standing in for bank files: `read_bank_message` answers their message."""

    def __init__(self):
        self.messages: dict[bytes, BankMessage] = {}

    def add(self, message: BankMessage) -> bytes:
        content = f"<Document id='{uuid.uuid4().hex}'/>".encode()
        self.messages[content] = message
        return content

    def read(self, content: bytes, *, max_bytes=None) -> BankMessage:
        from core.errors import ValidationFailed

        if content not in self.messages:
            raise ValidationFailed("The file is not an ISO 20022 bank message.")
        return self.messages[content]


@pytest.fixture
def bank_files(monkeypatch):
    files = StoodInFiles()
    monkeypatch.setattr(bank_messages, "read_bank_message", files.read, raising=False)
    return files


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def exported_run(media, treasurer, approver, make_vendor, matched_invoice):
    """An exported run paying Acme (two invoices), Bureau (one) and Cabinet (one)."""
    acme = make_vendor("Acme Supplies GmbH", iban=EUR_IBAN_1, bic="COBADEFFXXX")
    bureau = make_vendor("Bureau Fournitures SA", iban=EUR_IBAN_2)
    cabinet = make_vendor("Cabinet Jansen BV", iban=NL_IBAN)
    invoices = {
        "acme": [matched_invoice(acme, "1000.00"), matched_invoice(acme, "250.50")],
        "bureau": [matched_invoice(bureau, "1234.57")],
        "cabinet": [matched_invoice(cabinet, "99.99")],
    }
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    services.payment_run_approve(run_id=run.id, user=approver)
    run = services.payment_run_export(run_id=run.id, user=treasurer)
    return ExportedRun(
        run, {"acme": acme, "bureau": bureau, "cabinet": cabinet}, invoices
    )


class ExportedRun:
    def __init__(self, run, vendors, invoices):
        self.run = run
        self.vendors = vendors
        self.invoices = invoices

    @property
    def pain001(self):
        return next(f for f in self.run.files if f.kind == "pain001")

    def payment(self, name):
        vendor_id = self.vendors[name].id
        return next(p for p in self.fresh().payments if p.vendor_id == vendor_id)

    def fresh(self):
        return payment_run_get(run_id=self.run.id)

    def statuses(self, name):
        return [invoice_get(invoice_id=i.id).status for i in self.invoices[name]]


def pain002(run: ExportedRun, *transactions, message_id="STATUS-1") -> BankMessage:
    """A status report: `transactions` are (vendor name, outcome, code, text)."""
    return BankMessage(
        message_type=MessageType.PAIN002,
        message_id=message_id,
        created_at=dt.datetime.now(dt.UTC),
        entries=tuple(
            BankEntry(
                outcome=outcome,
                end_to_end_id=run.payment(name).id,
                original_message_id=run.pain001.message_id,
                reason_code=code,
                reason_text=text,
            )
            for name, outcome, code, text in transactions
        ),
    )


def booked(run: ExportedRun, name, *, on=BOOKED_ON, e2e=True, **fields) -> BankEntry:
    payment = run.payment(name)
    values = {
        "outcome": Outcome.BOOKED,
        "end_to_end_id": payment.id if e2e else None,
        "amount": payment.amount,
        "currency": payment.currency,
        "creditor_iban": payment.iban,
        "booking_date": on,
        "reference": f"REF-{name}",
    }
    return BankEntry(**(values | fields))


def camt054(*entries: BankEntry, message_id="NOTIF-1") -> BankMessage:
    return BankMessage(
        message_type=MessageType.CAMT054,
        message_id=message_id,
        created_at=dt.datetime.now(dt.UTC),
        entries=tuple(entries),
    )
