"""
An e-invoice as read from its XML (EN 16931's semantic model), whatever its
syntax: UBL 2.1 (`einvoicing.ubl`) or UN/CEFACT CII D16B (`einvoicing.cii`),
the latter also inside a Factur-X / ZUGFeRD PDF (`einvoicing.reading`).

Plain frozen dataclasses: what the readers return, what the import service
(`einvoicing.services`) turns into an invoice or credit note, and what the
readable view shows. Amounts are `Decimal` exactly as printed (never
rounded here, never float); each field names its business term (BT-n) or
group (BG-n) of EN 16931. A term the document leaves out is None (or an
empty tuple).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from core.errors import ApplicationError, ValidationFailed


class Syntax(StrEnum):
    UBL = "ubl"
    CII = "cii"


class Container(StrEnum):
    """How the XML arrived: on its own, or embedded in a Factur-X PDF."""

    XML = "xml"
    FACTURX_PDF = "facturx_pdf"


class EInvoiceType(StrEnum):
    """BT-3 reduced to what AP does with it (381 and the UBL CreditNote root: credit)."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


@dataclass(frozen=True)
class PartyAddress:
    """BG-5 / BG-8 (seller's, buyer's postal address)."""

    street: str | None = None  # BT-35 / BT-50
    additional: str | None = None  # BT-36 / BT-51
    town: str | None = None  # BT-37 / BT-52
    postcode: str | None = None  # BT-38 / BT-53
    subdivision: str | None = None  # BT-39 / BT-54
    country: str | None = None  # BT-40 / BT-55, ISO 3166 alpha-2


@dataclass(frozen=True)
class Party:
    """BG-4 seller or BG-7 buyer."""

    name: str  # BT-27 / BT-44
    trading_name: str | None = None  # BT-28 / BT-45
    vat_id: str | None = None  # BT-31 / BT-48, with its country prefix
    tax_registration: str | None = None  # BT-32 (seller's local tax number)
    legal_id: str | None = None  # BT-30 / BT-47 (company register number)
    electronic_address: str | None = None  # BT-34 / BT-49
    address: PartyAddress = field(default_factory=PartyAddress)
    contact_name: str | None = None  # BT-41 / BT-56
    contact_phone: str | None = None  # BT-42 / BT-57
    contact_email: str | None = None  # BT-43 / BT-58


@dataclass(frozen=True)
class PaymentAccount:
    """BG-17 credit transfer: where the seller wants to be paid."""

    iban: str | None = None  # BT-84 (an IBAN or other account identifier)
    name: str | None = None  # BT-85
    bic: str | None = None  # BT-86


@dataclass(frozen=True)
class VatBreakdown:
    """BG-23: one VAT category and rate's part of the document."""

    category: str  # BT-118: S, Z, E, AE, K, G, O, L, M
    rate: Decimal | None  # BT-119, percent; None for category O
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117
    exemption_reason: str | None = None  # BT-120
    exemption_reason_code: str | None = None  # BT-121


@dataclass(frozen=True)
class AllowanceCharge:
    """BG-20 (document-level allowance) or BG-21 (charge)."""

    is_charge: bool
    amount: Decimal  # BT-92 / BT-99, positive as printed
    category: str  # BT-95 / BT-102
    rate: Decimal | None  # BT-96 / BT-103
    reason: str | None = None  # BT-97 / BT-104
    reason_code: str | None = None  # BT-98 / BT-105
    base_amount: Decimal | None = None  # BT-93 / BT-100
    percentage: Decimal | None = None  # BT-94 / BT-101


@dataclass(frozen=True)
class EInvoiceLine:
    """BG-25."""

    line_id: str  # BT-126
    name: str  # BT-153
    quantity: Decimal  # BT-129 (negative on a line that credits)
    unit_code: str | None  # BT-130
    net_amount: Decimal  # BT-131, after the line's allowances and charges
    net_price: Decimal  # BT-146, per `price_base_quantity` units
    vat_category: str  # BT-151
    vat_rate: Decimal | None  # BT-152
    price_base_quantity: Decimal | None = None  # BT-149 (None: 1)
    gross_price: Decimal | None = None  # BT-148
    order_line_reference: str | None = None  # BT-132
    description: str | None = None  # BT-154
    seller_item_id: str | None = None  # BT-155
    note: str | None = None  # BT-127
    # The line's own allowances and charges (BG-27 / BG-28), signed: an
    # allowance negative, a charge positive.
    allowances_charges_total: Decimal = Decimal(0)

    @property
    def unit_price(self) -> Decimal:
        """The net price of one unit (BT-146 / BT-149)."""
        if self.price_base_quantity in (None, 0):
            return self.net_price
        return self.net_price / self.price_base_quantity


@dataclass(frozen=True)
class Totals:
    """BG-22."""

    line_total: Decimal  # BT-106
    net_total: Decimal  # BT-109 (without VAT)
    tax_total: Decimal  # BT-110 (in the document's currency)
    gross_total: Decimal  # BT-112 (with VAT)
    amount_due: Decimal  # BT-115
    allowance_total: Decimal | None = None  # BT-107
    charge_total: Decimal | None = None  # BT-108
    prepaid: Decimal | None = None  # BT-113
    rounding: Decimal | None = None  # BT-114


@dataclass(frozen=True)
class EInvoice:
    """One e-invoice or credit note, as its XML says."""

    syntax: Syntax
    # BT-24, e.g. "urn:cen.eu:en16931:2017" or an XRechnung / Factur-X profile.
    specification: str | None
    type_code: str  # BT-3 as printed (380, 381, 384, 389, ...)
    document_type: EInvoiceType
    number: str  # BT-1
    issue_date: dt.date  # BT-2
    currency: str  # BT-5
    seller: Party
    buyer: Party
    lines: tuple[EInvoiceLine, ...]
    vat_breakdown: tuple[VatBreakdown, ...]
    totals: Totals
    allowances_charges: tuple[AllowanceCharge, ...] = ()
    due_date: dt.date | None = None  # BT-9
    payment_terms: str | None = None  # BT-20
    order_reference: str | None = None  # BT-13 (the buyer's PO number)
    sales_order_reference: str | None = None  # BT-14
    preceding_invoice: str | None = None  # BT-25 (what a credit note corrects)
    buyer_reference: str | None = None  # BT-10 (Leitweg-ID in XRechnung)
    tax_currency: str | None = None  # BT-6
    tax_total_in_tax_currency: Decimal | None = None  # BT-111
    delivery_date: dt.date | None = None  # BT-72
    payment_means_code: str | None = None  # BT-81
    payment_reference: str | None = None  # BT-83 (remittance information)
    payment_accounts: tuple[PaymentAccount, ...] = ()  # BG-17
    notes: tuple[str, ...] = ()  # BT-22

    @property
    def iban(self) -> str | None:
        """The first payment account's identifier (BT-84), if any."""
        return self.payment_accounts[0].iban if self.payment_accounts else None


@dataclass(frozen=True)
class RuleResult:
    """One failed EN 16931 rule (an SVRL `failed-assert`)."""

    rule_id: str  # "BR-CO-15"
    flag: str  # "fatal" or "warning"
    text: str  # the rule's message
    location: str | None = None  # XPath of the node it failed on

    @property
    def fatal(self) -> bool:
        return self.flag != "warning"

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.text}"


@dataclass(frozen=True)
class ReceivedFile:
    """An uploaded file once `einvoicing.reading` accepted it."""

    syntax: Syntax
    container: Container
    xml: bytes  # the invoice XML (extracted from the PDF for Factur-X)
    pdf: bytes | None  # the Factur-X PDF, kept as the human-readable document
    sha256: str  # of the file as received (the PDF for Factur-X)
    filename: str


class EInvoiceInvalid(ValidationFailed):
    """
    A document the EN 16931 rules refuse: every fatal rule it failed, each
    named by id in the message and in `extra["errors"]` (the API's 422).
    """

    def __init__(self, failures: "tuple[RuleResult, ...]", warnings=()):
        self.failures = tuple(failures)
        self.warnings = tuple(warnings)
        count = len(self.failures)
        message = (
            f"The e-invoice breaks {count} EN 16931 rule{'s' if count != 1 else ''}: "
            + "; ".join(str(failure) for failure in self.failures)
        )
        ApplicationError.__init__(
            self,
            message,
            {
                "errors": [
                    {"rule": f.rule_id, "flag": f.flag, "message": f.text}
                    for f in self.failures
                ]
            },
        )
        self.field_errors = {}
