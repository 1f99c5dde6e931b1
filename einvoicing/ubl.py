"""
Read a UBL 2.1 Invoice or CreditNote (Peppol BIS 3, XRechnung UBL) into an
`EInvoice`. The root comes parsed and checked by `einvoicing.reading`.
"""

from decimal import Decimal

from lxml import etree

from einvoicing.document import (
    AllowanceCharge,
    EInvoice,
    EInvoiceLine,
    EInvoiceType,
    Party,
    PartyAddress,
    PaymentAccount,
    Syntax,
    Totals,
    VatBreakdown,
)
from einvoicing.xml_values import (
    CREDIT_TYPE_CODES,
    Finder,
    amount,
    clean,
    iso_date,
    required,
)

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS = {"cac": CAC, "cbc": CBC}


_find = Finder(NS)
_text, _all, _one = _find.text, _find.all, _find.one


def read_ubl(root: etree._Element) -> EInvoice:
    """The EInvoice a UBL Invoice or CreditNote root describes."""
    credit_root = etree.QName(root).localname == "CreditNote"
    type_code = _text(
        root, "cbc:CreditNoteTypeCode" if credit_root else "cbc:InvoiceTypeCode"
    )
    type_code = type_code or ("381" if credit_root else "380")
    is_credit = credit_root or type_code in CREDIT_TYPE_CODES
    currency = required(_text(root, "cbc:DocumentCurrencyCode"), "currency (BT-5)")
    tax_currency = _text(root, "cbc:TaxCurrencyCode")
    tax_total, tax_in_tax_currency, breakdown = _taxes(root, currency, tax_currency)
    means = _all(root, "cac:PaymentMeans")
    due_date = iso_date(_text(root, "cbc:DueDate"), "due date (BT-9)") or iso_date(
        _first(_text(m, "cbc:PaymentDueDate") for m in means), "due date (BT-9)"
    )
    terms = [_text(t, "cbc:Note") for t in _all(root, "cac:PaymentTerms")]
    return EInvoice(
        syntax=Syntax.UBL,
        specification=_text(root, "cbc:CustomizationID"),
        type_code=type_code,
        document_type=EInvoiceType.CREDIT_NOTE if is_credit else EInvoiceType.INVOICE,
        number=required(_text(root, "cbc:ID"), "invoice number (BT-1)"),
        issue_date=required(
            iso_date(_text(root, "cbc:IssueDate"), "issue date (BT-2)"),
            "issue date (BT-2)",
        ),
        currency=currency,
        seller=_party(_one(root, "cac:AccountingSupplierParty/cac:Party"), "seller"),
        buyer=_party(_one(root, "cac:AccountingCustomerParty/cac:Party"), "buyer"),
        lines=tuple(
            _line(line, credit_root)
            for line in _all(
                root, "cac:CreditNoteLine" if credit_root else "cac:InvoiceLine"
            )
        ),
        vat_breakdown=breakdown,
        totals=_totals(_one(root, "cac:LegalMonetaryTotal"), tax_total),
        allowances_charges=tuple(
            _allowance_charge(ac) for ac in _all(root, "cac:AllowanceCharge")
        ),
        due_date=due_date,
        payment_terms="\n".join(t for t in terms if t) or None,
        order_reference=_text(root, "cac:OrderReference/cbc:ID"),
        sales_order_reference=_text(root, "cac:OrderReference/cbc:SalesOrderID"),
        preceding_invoice=_text(
            root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"
        ),
        buyer_reference=_text(root, "cbc:BuyerReference"),
        tax_currency=tax_currency,
        tax_total_in_tax_currency=tax_in_tax_currency,
        delivery_date=iso_date(
            _text(root, "cac:Delivery/cbc:ActualDeliveryDate"), "delivery date (BT-72)"
        ),
        payment_means_code=_first(_text(m, "cbc:PaymentMeansCode") for m in means),
        payment_reference=_first(_text(m, "cbc:PaymentID") for m in means),
        payment_accounts=tuple(
            PaymentAccount(
                iban=_text(account, "cbc:ID"),
                name=_text(account, "cbc:Name"),
                bic=_text(account, "cac:FinancialInstitutionBranch/cbc:ID"),
            )
            for m in means
            for account in _all(m, "cac:PayeeFinancialAccount")
        ),
        notes=tuple(n for n in (clean(e.text) for e in _all(root, "cbc:Note")) if n),
    )


def _first(values):
    return next((v for v in values if v), None)


def _party(party, role: str) -> Party:
    if party is None:
        return Party(name="")
    vat_id = tax_registration = None
    for scheme in _all(party, "cac:PartyTaxScheme"):
        company_id = _text(scheme, "cbc:CompanyID")
        if (_text(scheme, "cac:TaxScheme/cbc:ID") or "").upper() == "VAT":
            vat_id = vat_id or company_id
        else:
            tax_registration = tax_registration or company_id
    address = _one(party, "cac:PostalAddress")
    trading_name = _text(party, "cac:PartyName/cbc:Name")
    return Party(
        name=_text(party, "cac:PartyLegalEntity/cbc:RegistrationName")
        or trading_name
        or "",
        trading_name=trading_name,
        vat_id=vat_id,
        tax_registration=tax_registration,
        legal_id=_text(party, "cac:PartyLegalEntity/cbc:CompanyID"),
        electronic_address=_text(party, "cbc:EndpointID"),
        address=PartyAddress(
            street=_text(address, "cbc:StreetName"),
            additional=_text(address, "cbc:AdditionalStreetName"),
            town=_text(address, "cbc:CityName"),
            postcode=_text(address, "cbc:PostalZone"),
            subdivision=_text(address, "cbc:CountrySubentity"),
            country=_text(address, "cac:Country/cbc:IdentificationCode"),
        ),
        contact_name=_text(party, "cac:Contact/cbc:Name"),
        contact_phone=_text(party, "cac:Contact/cbc:Telephone"),
        contact_email=_text(party, "cac:Contact/cbc:ElectronicMail"),
    )


def _taxes(root, currency: str, tax_currency: str | None):
    """BT-110, BT-111 and the VAT breakdown (BG-23) from the TaxTotal groups."""
    tax_total = tax_in_tax_currency = None
    breakdown = []
    for group in _all(root, "cac:TaxTotal"):
        element = _one(group, "cbc:TaxAmount")
        value = amount(_text(group, "cbc:TaxAmount"), "VAT total (BT-110)")
        group_currency = element.get("currencyID") if element is not None else None
        if tax_currency and group_currency == tax_currency and tax_currency != currency:
            tax_in_tax_currency = value
            continue
        if tax_total is None:
            tax_total = value
        for subtotal in _all(group, "cac:TaxSubtotal"):
            breakdown.append(
                VatBreakdown(
                    category=_text(subtotal, "cac:TaxCategory/cbc:ID") or "",
                    rate=amount(
                        _text(subtotal, "cac:TaxCategory/cbc:Percent"),
                        "VAT rate (BT-119)",
                    ),
                    taxable_amount=required(
                        amount(
                            _text(subtotal, "cbc:TaxableAmount"),
                            "VAT category taxable amount (BT-116)",
                        ),
                        "VAT category taxable amount (BT-116)",
                    ),
                    tax_amount=required(
                        amount(
                            _text(subtotal, "cbc:TaxAmount"),
                            "VAT category tax amount (BT-117)",
                        ),
                        "VAT category tax amount (BT-117)",
                    ),
                    exemption_reason=_text(
                        subtotal, "cac:TaxCategory/cbc:TaxExemptionReason"
                    ),
                    exemption_reason_code=_text(
                        subtotal, "cac:TaxCategory/cbc:TaxExemptionReasonCode"
                    ),
                )
            )
    return (
        tax_total if tax_total is not None else Decimal(0),
        tax_in_tax_currency,
        tuple(breakdown),
    )


def _totals(total, tax_total: Decimal) -> Totals:
    def money(path: str, term: str) -> Decimal | None:
        return amount(_text(total, path), term)

    return Totals(
        line_total=required(
            money("cbc:LineExtensionAmount", "sum of line net amounts (BT-106)"),
            "sum of line net amounts (BT-106)",
        ),
        net_total=required(
            money("cbc:TaxExclusiveAmount", "total without VAT (BT-109)"),
            "total without VAT (BT-109)",
        ),
        tax_total=tax_total,
        gross_total=required(
            money("cbc:TaxInclusiveAmount", "total with VAT (BT-112)"),
            "total with VAT (BT-112)",
        ),
        amount_due=required(
            money("cbc:PayableAmount", "amount due (BT-115)"), "amount due (BT-115)"
        ),
        allowance_total=money("cbc:AllowanceTotalAmount", "sum of allowances (BT-107)"),
        charge_total=money("cbc:ChargeTotalAmount", "sum of charges (BT-108)"),
        prepaid=money("cbc:PrepaidAmount", "paid amount (BT-113)"),
        rounding=money("cbc:PayableRoundingAmount", "rounding amount (BT-114)"),
    )


def _allowance_charge(element) -> AllowanceCharge:
    return AllowanceCharge(
        is_charge=(_text(element, "cbc:ChargeIndicator") or "").lower() == "true",
        amount=required(
            amount(_text(element, "cbc:Amount"), "allowance or charge amount (BT-92)"),
            "allowance or charge amount (BT-92)",
        ),
        category=_text(element, "cac:TaxCategory/cbc:ID") or "",
        rate=amount(_text(element, "cac:TaxCategory/cbc:Percent"), "VAT rate (BT-96)"),
        reason=_text(element, "cbc:AllowanceChargeReason"),
        reason_code=_text(element, "cbc:AllowanceChargeReasonCode"),
        base_amount=amount(_text(element, "cbc:BaseAmount"), "base amount (BT-93)"),
        percentage=amount(
            _text(element, "cbc:MultiplierFactorNumeric"), "percentage (BT-94)"
        ),
    )


def _line(line, credit_root: bool) -> EInvoiceLine:
    quantity_element = _one(
        line, "cbc:CreditedQuantity" if credit_root else "cbc:InvoicedQuantity"
    )
    line_id = _text(line, "cbc:ID") or ""
    signed = Decimal(0)
    for ac in _all(line, "cac:AllowanceCharge"):
        value = amount(_text(ac, "cbc:Amount"), f"line {line_id} allowance or charge")
        if value is not None:
            is_charge = (_text(ac, "cbc:ChargeIndicator") or "").lower() == "true"
            signed += value if is_charge else -value
    price = _one(line, "cac:Price")
    return EInvoiceLine(
        line_id=line_id,
        name=_text(line, "cac:Item/cbc:Name") or "",
        quantity=required(
            amount(
                quantity_element.text if quantity_element is not None else None,
                f"line {line_id} quantity (BT-129)",
            ),
            f"line {line_id} quantity (BT-129)",
        ),
        unit_code=clean(quantity_element.get("unitCode"))
        if quantity_element is not None
        else None,
        net_amount=required(
            amount(
                _text(line, "cbc:LineExtensionAmount"),
                f"line {line_id} net amount (BT-131)",
            ),
            f"line {line_id} net amount (BT-131)",
        ),
        net_price=required(
            amount(
                _text(price, "cbc:PriceAmount"), f"line {line_id} net price (BT-146)"
            ),
            f"line {line_id} net price (BT-146)",
        ),
        vat_category=_text(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID") or "",
        vat_rate=amount(
            _text(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
            f"line {line_id} VAT rate (BT-152)",
        ),
        price_base_quantity=amount(
            _text(price, "cbc:BaseQuantity"),
            f"line {line_id} price base quantity (BT-149)",
        ),
        gross_price=amount(
            _text(price, "cac:AllowanceCharge/cbc:BaseAmount"),
            f"line {line_id} gross price (BT-148)",
        ),
        order_line_reference=_text(line, "cac:OrderLineReference/cbc:LineID"),
        description=_text(line, "cac:Item/cbc:Description"),
        seller_item_id=_text(line, "cac:Item/cac:SellersItemIdentification/cbc:ID"),
        note=_text(line, "cbc:Note"),
        allowances_charges_total=signed,
    )
