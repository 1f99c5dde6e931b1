"""Payment runs on PaymentsTable: the vendor payments they make and the files they wrote."""

from enum import StrEnum

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from core import dynamo, search_index
from core.dynamo import DecimalAttribute, IntegerAttribute, Model
from core.money import round_money


class PaymentRunStatus(StrEnum):
    DRAFT = "draft"
    # Sent back to its builder by an approver, with a reason (issue 17).
    RETURNED = "returned"
    APPROVED = "approved"
    EXPORTED = "exported"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


# domain.md "Life cycles".
# The id a refused build's audit entry gets: there is no run to show.
REFUSED_BUILD_PREFIX = "refused-build-"

PAYMENT_RUN_TRANSITIONS: dict[PaymentRunStatus, set[PaymentRunStatus]] = {
    PaymentRunStatus.DRAFT: {
        PaymentRunStatus.APPROVED,
        PaymentRunStatus.RETURNED,
        PaymentRunStatus.CANCELLED,
    },
    # The builder sends it for approval again, or cancels it.
    PaymentRunStatus.RETURNED: {PaymentRunStatus.DRAFT, PaymentRunStatus.CANCELLED},
    PaymentRunStatus.APPROVED: {PaymentRunStatus.EXPORTED, PaymentRunStatus.CANCELLED},
    PaymentRunStatus.EXPORTED: {PaymentRunStatus.CONFIRMED},
    PaymentRunStatus.CONFIRMED: set(),
    PaymentRunStatus.CANCELLED: set(),
}

LISTING = "payment_run"


class SettledInvoice(MapAttribute):
    """One invoice a vendor payment settles."""

    invoice_id = UnicodeAttribute()
    invoice_number = UnicodeAttribute()
    due_date = UnicodeAttribute()
    total_amount = DecimalAttribute()
    discount = DecimalAttribute()
    amount = DecimalAttribute()


class AppliedCredit(MapAttribute):
    """
    A credit note a vendor payment nets (issue 15): what it had open when the
    run reserved it and how much of that the payment applies.
    """

    credit_note_id = UnicodeAttribute()
    credit_note_number = UnicodeAttribute()
    invoice_date = UnicodeAttribute()  # the credit note's date (oldest first)
    open_amount = DecimalAttribute()
    amount = DecimalAttribute()

    @property
    def remaining(self):
        """What stays open on the credit note once the run is confirmed."""
        return self.open_amount - self.amount


class PaymentAddress(MapAttribute):
    """The creditor's structured address (core.addresses) as the run was built."""

    street = UnicodeAttribute(null=True)
    building_number = UnicodeAttribute(null=True)
    address_line2 = UnicodeAttribute(null=True)
    postcode = UnicodeAttribute(null=True)
    town = UnicodeAttribute(null=True)
    country = UnicodeAttribute(null=True)


class BankStatus(StrEnum):
    """What the bank said of one payment (issue 17); None: nothing yet."""

    ACCEPTED = "accepted"  # pain.002 ACCP/ACSP/ACSC...: accepted, not booked yet
    BOOKED = "booked"  # camt.054/053 booked the debit: the invoices are paid
    REJECTED = "rejected"  # pain.002 RJCT, or a return in camt: invoices matched


class VendorPayment(MapAttribute):
    """
    One credit transfer: one vendor, one currency, the bank details used.

    `amount` is the transfer: the invoices' amounts less the credits applied,
    never below zero; a payment of zero is settled by credits alone and has
    no transfer in the bank file.
    """

    id = UnicodeAttribute()  # the file's EndToEndId
    vendor_id = UnicodeAttribute()
    vendor_name = UnicodeAttribute()
    currency = UnicodeAttribute()
    iban = UnicodeAttribute(null=True)
    bic = UnicodeAttribute(null=True)
    account_number = UnicodeAttribute(null=True)
    routing_number = UnicodeAttribute(null=True)
    amount = DecimalAttribute()
    discount = DecimalAttribute()
    invoices = ListAttribute(of=SettledInvoice)
    # None on payments built before credit notes were netted: no credits.
    credits = ListAttribute(of=AppliedCredit, null=True)
    # Issue 17. The company account paying it (treasury.CompanyBankAccount
    # id; None on runs built before paying accounts: the PAYER_* settings)
    # and the creditor's structured address when the run was built.
    paying_account_id = UnicodeAttribute(null=True)
    address = PaymentAddress(null=True)
    # The bank's answer (payments.bank_answers): status, booking date (ISO),
    # the reason code and text of a rejection or return, and the file read.
    bank_status = UnicodeAttribute(null=True)  # BankStatus
    booked_on = UnicodeAttribute(null=True)
    bank_reason_code = UnicodeAttribute(null=True)
    bank_reason = UnicodeAttribute(null=True)
    bank_statement_id = UnicodeAttribute(null=True)

    @property
    def credits_applied(self) -> list[AppliedCredit]:
        return list(self.credits or [])

    @property
    def credited(self):
        return sum((c.amount for c in self.credits_applied), 0)

    @property
    def invoiced(self):
        """What the invoices come to, after discounts, before credits."""
        return self.amount + self.credited


class RunFile(MapAttribute):
    """A document an export wrote: the pain.001 of one currency or the JSON summary."""

    kind = UnicodeAttribute()  # "pain001" or "summary"
    currency = UnicodeAttribute(null=True)
    # Issue 17: the paying account (treasury id) and ISO execution date of a
    # pain.001; None on files exported before.
    paying_account_id = UnicodeAttribute(null=True)
    execution_date = UnicodeAttribute(null=True)
    # The pain.001's MsgId (the bank's status report names it); None for the
    # summary and for files exported before it was kept.
    message_id = UnicodeAttribute(null=True)
    key = UnicodeAttribute()
    name = UnicodeAttribute()
    content_type = UnicodeAttribute()
    sha256 = UnicodeAttribute()
    size = IntegerAttribute()
    version_id = UnicodeAttribute(null=True)


class StatusCreatedIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "status-created-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ListingCreatedIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "listing-created-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ListingNumberIndex(GlobalSecondaryIndex):
    """Every run by number, for prefix search (`begins_with` on the number)."""

    class Meta:
        index_name = "listing-number-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    number = UnicodeAttribute(range_key=True)


@dynamo.register
class PaymentRun(Model):
    Meta = dynamo.table_meta("PaymentsTable")

    id = UnicodeAttribute(hash_key=True)  # 32 hex digits
    listing = UnicodeAttribute(default=LISTING)
    number = UnicodeAttribute()
    payment_date = UnicodeAttribute()  # ISO date: the requested execution date
    currency = UnicodeAttribute(null=True)  # None: every currency
    status = UnicodeAttribute()
    payments = ListAttribute(of=VendorPayment, default=list)
    invoice_count = IntegerAttribute(default=0)
    files = ListAttribute(of=RunFile, default=list)
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    approved_by = UnicodeAttribute(null=True)
    approved_at = UTCDateTimeAttribute(null=True)
    exported_by = UnicodeAttribute(null=True)
    exported_at = UTCDateTimeAttribute(null=True)
    confirmed_by = UnicodeAttribute(null=True)
    confirmed_at = UTCDateTimeAttribute(null=True)
    cancelled_by = UnicodeAttribute(null=True)
    cancelled_at = UTCDateTimeAttribute(null=True)
    cancel_reason = UnicodeAttribute(null=True)
    # The last return to its builder (issue 17); kept once sent again.
    returned_by = UnicodeAttribute(null=True)
    returned_at = UTCDateTimeAttribute(null=True)
    return_reason = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    status_index = StatusCreatedIndex()
    listing_index = ListingCreatedIndex()
    listing_number_index = ListingNumberIndex()

    @classmethod
    def from_raw_data(cls, data):
        # DynamoDB drops trailing zeros; amounts get their minor unit back.
        run = super().from_raw_data(data)
        for payment in run.payments or []:
            payment.amount = round_money(payment.amount, payment.currency)
            payment.discount = round_money(payment.discount, payment.currency)
            for invoice in payment.invoices:
                for name in ("total_amount", "discount", "amount"):
                    value = round_money(getattr(invoice, name), payment.currency)
                    setattr(invoice, name, value)
            for credit in payment.credits or []:
                for name in ("open_amount", "amount"):
                    value = round_money(getattr(credit, name), payment.currency)
                    setattr(credit, name, value)
        return run

    SEARCH_KIND = "payment_runs"

    def search_terms(self) -> search_index.SearchTerms:
        """The parts of the run's number search finds it by."""
        return search_index.search_terms(words=search_index.text_terms(self.number))

    def totals(self) -> dict[str, dict]:
        """
        Amount, discount and payment count per currency, in currency order;
        `credited` and `credits` (issue 15): the credit notes netted.
        """
        result: dict[str, dict] = {}
        for payment in self.payments:
            row = result.setdefault(
                payment.currency,
                {
                    "amount": 0,
                    "discount": 0,
                    "payments": 0,
                    "invoices": 0,
                    "credited": 0,
                    "credits": 0,
                },
            )
            row["amount"] += payment.amount
            row["discount"] += payment.discount
            row["payments"] += 1
            row["invoices"] += len(payment.invoices)
            row["credited"] += payment.credited
            row["credits"] += len(payment.credits_applied)
        return dict(sorted(result.items()))

    def transfers(self) -> list[VendorPayment]:
        """The payments the bank file carries: those not settled by credits alone."""
        return [p for p in self.payments if p.amount > 0]

    def invoice_ids(self) -> list[str]:
        return [i.invoice_id for p in self.payments for i in p.invoices]

    def bank_answers(self) -> dict[str, int]:
        """
        How many transfers the bank booked, rejected or has not answered yet
        (a payment it accepted and has not booked counts as unanswered).
        """
        counts = {"booked": 0, "rejected": 0, "unanswered": 0}
        for payment in self.transfers():
            if payment.bank_status in (BankStatus.BOOKED, BankStatus.REJECTED):
                counts[payment.bank_status] += 1
            else:
                counts["unanswered"] += 1
        return counts

    def credit_applications(self) -> dict[str, AppliedCredit]:
        """The credit notes the run nets, by id."""
        return {c.credit_note_id: c for p in self.payments for c in p.credits_applied}


class IdempotencyRecord(Model):
    """
    The run a `POST /payment-runs` with an `Idempotency-Key` created, kept in
    PaymentsTable and written in the run's own first transaction, so a retry
    finds the run and a different body under the same key is told apart.
    """

    Meta = dynamo.table_meta("PaymentsTable")

    id = UnicodeAttribute(hash_key=True)  # "idempotency#<user>#<key>"
    run_id = UnicodeAttribute()
    fingerprint = UnicodeAttribute()  # SHA-256 of the request body

    @staticmethod
    def key(username: str, idempotency_key: str) -> str:
        return f"idempotency#{username}#{idempotency_key}"


dynamo.register_view(IdempotencyRecord)


# --- The bank's answer (issue 17) ---------------------------------------------

BANK_STATEMENT_LISTING = "bank_statement"


class UnmatchedEntry(MapAttribute):
    """
    An entry of a bank file that changed no payment, for a person to resolve:
    it names no payment the exported runs hold (`problem` None), or the payment
    it names cannot take the answer (`problem` says why).
    """

    outcome = UnicodeAttribute()  # bank_messages.Outcome
    end_to_end_id = UnicodeAttribute(null=True)
    amount = DecimalAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    iban = UnicodeAttribute(null=True)
    booking_date = UnicodeAttribute(null=True)  # ISO date
    reason_code = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    reference = UnicodeAttribute(null=True)
    problem = UnicodeAttribute(null=True)
    run_id = UnicodeAttribute(null=True)  # the run of the payment it names, if any
    run_number = UnicodeAttribute(null=True)


class AnsweredPayment(MapAttribute):
    """A payment an import changed: which run, which vendor, what the bank said."""

    run_id = UnicodeAttribute()
    run_number = UnicodeAttribute()
    payment_id = UnicodeAttribute()
    vendor_id = UnicodeAttribute()
    vendor_name = UnicodeAttribute()
    currency = UnicodeAttribute()
    amount = DecimalAttribute()
    bank_status = UnicodeAttribute()  # BankStatus
    booked_on = UnicodeAttribute(null=True)
    reason_code = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)


class StatementImportedIndex(GlobalSecondaryIndex):
    """Every imported bank file by when it was imported: the list page."""

    class Meta:
        index_name = "listing-imported-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    imported_at = UTCDateTimeAttribute(range_key=True)


@dynamo.register
class BankStatement(Model):
    """
    One bank file imported (payments.bank_answers), keyed by the SHA-256 of
    its content: written once, with `attribute_not_exists`, so the same file
    imported again is told apart and changes nothing.
    """

    Meta = dynamo.table_meta("BankStatementsTable")

    id = UnicodeAttribute(hash_key=True)  # SHA-256 of the content, hex
    listing = UnicodeAttribute(default=BANK_STATEMENT_LISTING)
    message_type = UnicodeAttribute()  # bank_messages.MessageType
    message_id = UnicodeAttribute()
    filename = UnicodeAttribute()
    document_key = UnicodeAttribute()
    size = IntegerAttribute()
    source = UnicodeAttribute(default="upload")  # "upload", "api", "command"
    imported_by = UnicodeAttribute()
    imported_at = UTCDateTimeAttribute()
    entries = IntegerAttribute(default=0)
    confirmed = IntegerAttribute(default=0)
    returned = IntegerAttribute(default=0)
    accepted = IntegerAttribute(default=0)
    unmatched = IntegerAttribute(default=0)
    unmatched_entries = ListAttribute(of=UnmatchedEntry, default=list)
    answered = ListAttribute(of=AnsweredPayment, default=list)
    # The runs the file confirmed by itself (every payment answered).
    confirmed_runs = ListAttribute(default=list)  # of run numbers

    listing_index = StatementImportedIndex()

    @property
    def sha256(self) -> str:
        return self.id
