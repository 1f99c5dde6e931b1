"""
Read a UN/CEFACT CII D16B CrossIndustryInvoice (XRechnung CII, Factur-X /
ZUGFeRD 2) into an `EInvoice`. The root comes parsed and checked by
`einvoicing.reading`.

The BASIC WL and MINIMUM profiles carry no lines (an empty tuple) and no
BT-106; the line total is then the total without VAT plus the allowances
less the charges, which is what BT-106 would have printed.
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
    cii_date,
    clean,
    required,
)

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}


_find = Finder(NS)
_text, _all, _one = _find.text, _find.all, _find.one


def _date(element, path: str, term: str):
    """A date under `path` (a udt/qdt DateTimeString or DateString), as its format says."""
    holder = _one(element, path)
    if holder is None:
        return None
    for child in holder:
        if isinstance(child.tag, str) and etree.QName(child).localname in (
            "DateTimeString",
            "DateString",
        ):
            return cii_date(child.text, term, child.get("format"))
    return None


def _money(element, path: str, term: str, *, needed: bool = False) -> Decimal | None:
    value = amount(_text(element, path), term)
    return required(value, term) if needed else value


def read_cii(root: etree._Element) -> EInvoice:
    """The EInvoice a CII CrossIndustryInvoice root describes."""
    document = _one(root, "rsm:ExchangedDocument")
    transaction = _one(root, "rsm:SupplyChainTradeTransaction")
    agreement = _one(transaction, "ram:ApplicableHeaderTradeAgreement")
    delivery = _one(transaction, "ram:ApplicableHeaderTradeDelivery")
    settlement = _one(transaction, "ram:ApplicableHeaderTradeSettlement")
    type_code = _text(document, "ram:TypeCode") or "380"
    currency = required(_text(settlement, "ram:InvoiceCurrencyCode"), "currency (BT-5)")
    tax_currency = _text(settlement, "ram:TaxCurrencyCode")
    terms = _all(settlement, "ram:SpecifiedTradePaymentTerms")
    means = _all(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    allowances_charges = tuple(
        _allowance_charge(ac)
        for ac in _all(settlement, "ram:SpecifiedTradeAllowanceCharge")
    )
    return EInvoice(
        syntax=Syntax.CII,
        specification=_text(
            root,
            "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
        ),
        type_code=type_code,
        document_type=(
            EInvoiceType.CREDIT_NOTE
            if type_code in CREDIT_TYPE_CODES
            else EInvoiceType.INVOICE
        ),
        number=required(_text(document, "ram:ID"), "invoice number (BT-1)"),
        issue_date=required(
            _date(document, "ram:IssueDateTime", "issue date (BT-2)"),
            "issue date (BT-2)",
        ),
        currency=currency,
        seller=_party(_one(agreement, "ram:SellerTradeParty")),
        buyer=_party(_one(agreement, "ram:BuyerTradeParty")),
        lines=tuple(
            _line(line)
            for line in _all(transaction, "ram:IncludedSupplyChainTradeLineItem")
        ),
        vat_breakdown=tuple(
            _vat(tax) for tax in _all(settlement, "ram:ApplicableTradeTax")
        ),
        totals=_totals(
            _one(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation"),
            currency,
        ),
        allowances_charges=allowances_charges,
        due_date=next(
            (
                d
                for d in (
                    _date(t, "ram:DueDateDateTime", "due date (BT-9)") for t in terms
                )
                if d
            ),
            None,
        ),
        payment_terms="\n".join(
            t for t in (_text(term, "ram:Description") for term in terms) if t
        )
        or None,
        order_reference=_text(
            agreement, "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"
        ),
        sales_order_reference=_text(
            agreement, "ram:SellerOrderReferencedDocument/ram:IssuerAssignedID"
        ),
        preceding_invoice=_text(
            settlement, "ram:InvoiceReferencedDocument/ram:IssuerAssignedID"
        ),
        buyer_reference=_text(agreement, "ram:BuyerReference"),
        tax_currency=tax_currency,
        tax_total_in_tax_currency=_tax_total_in(settlement, tax_currency, currency),
        delivery_date=_date(
            delivery,
            "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime",
            "delivery date (BT-72)",
        ),
        payment_means_code=next(
            (c for c in (_text(m, "ram:TypeCode") for m in means) if c), None
        ),
        payment_reference=_text(settlement, "ram:PaymentReference"),
        payment_accounts=tuple(
            account for account in (_account(m) for m in means) if account
        ),
        notes=tuple(
            n
            for n in (
                _text(note, "ram:Content")
                for note in _all(document, "ram:IncludedNote")
            )
            if n
        ),
    )


def _party(party) -> Party:
    if party is None:
        return Party(name="")
    vat_id = tax_registration = None
    for registration in _all(party, "ram:SpecifiedTaxRegistration"):
        element = _one(registration, "ram:ID")
        if element is None:
            continue
        scheme = (element.get("schemeID") or "").upper()
        if scheme == "VA":
            vat_id = vat_id or clean(element.text)
        elif scheme == "FC":
            tax_registration = tax_registration or clean(element.text)
    address = _one(party, "ram:PostalTradeAddress")
    contact = _one(party, "ram:DefinedTradeContact")
    additional = [
        line
        for line in (_text(address, "ram:LineTwo"), _text(address, "ram:LineThree"))
        if line
    ]
    return Party(
        name=_text(party, "ram:Name") or "",
        trading_name=_text(
            party, "ram:SpecifiedLegalOrganization/ram:TradingBusinessName"
        ),
        vat_id=vat_id,
        tax_registration=tax_registration,
        legal_id=_text(party, "ram:SpecifiedLegalOrganization/ram:ID"),
        electronic_address=_text(party, "ram:URIUniversalCommunication/ram:URIID"),
        address=PartyAddress(
            street=_text(address, "ram:LineOne"),
            additional=", ".join(additional) or None,
            town=_text(address, "ram:CityName"),
            postcode=_text(address, "ram:PostcodeCode"),
            subdivision=_text(address, "ram:CountrySubDivisionName"),
            country=_text(address, "ram:CountryID"),
        ),
        contact_name=_text(contact, "ram:PersonName"),
        contact_phone=_text(
            contact, "ram:TelephoneUniversalCommunication/ram:CompleteNumber"
        ),
        contact_email=_text(contact, "ram:EmailURIUniversalCommunication/ram:URIID"),
    )


def _account(means) -> PaymentAccount | None:
    account = _one(means, "ram:PayeePartyCreditorFinancialAccount")
    if account is None:
        return None
    return PaymentAccount(
        iban=_text(account, "ram:IBANID") or _text(account, "ram:ProprietaryID"),
        name=_text(account, "ram:AccountName"),
        bic=_text(means, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
    )


def _vat(tax) -> VatBreakdown:
    return VatBreakdown(
        category=_text(tax, "ram:CategoryCode") or "",
        rate=_money(tax, "ram:RateApplicablePercent", "VAT rate (BT-119)"),
        taxable_amount=_money(
            tax, "ram:BasisAmount", "VAT category taxable amount (BT-116)", needed=True
        ),
        tax_amount=_money(
            tax, "ram:CalculatedAmount", "VAT category tax amount (BT-117)", needed=True
        ),
        exemption_reason=_text(tax, "ram:ExemptionReason"),
        exemption_reason_code=_text(tax, "ram:ExemptionReasonCode"),
    )


def _tax_totals(summation) -> list[tuple[str | None, Decimal]]:
    return [
        (element.get("currencyID"), amount(element.text, "VAT total (BT-110)"))
        for element in _all(summation, "ram:TaxTotalAmount")
    ]


def _tax_total_in(settlement, tax_currency, currency) -> Decimal | None:
    if not tax_currency or tax_currency == currency:
        return None
    summation = _one(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    for code, value in _tax_totals(summation):
        if code == tax_currency:
            return value
    return None


def _totals(summation, currency: str) -> Totals:
    taxes = _tax_totals(summation)
    tax_total = next((v for code, v in taxes if code in (None, currency)), None)
    net_total = _money(
        summation, "ram:TaxBasisTotalAmount", "total without VAT (BT-109)", needed=True
    )
    allowance_total = _money(
        summation, "ram:AllowanceTotalAmount", "sum of allowances (BT-107)"
    )
    charge_total = _money(summation, "ram:ChargeTotalAmount", "sum of charges (BT-108)")
    line_total = _money(
        summation, "ram:LineTotalAmount", "sum of line net amounts (BT-106)"
    )
    if line_total is None:
        line_total = net_total + (allowance_total or 0) - (charge_total or 0)
    return Totals(
        line_total=line_total,
        net_total=net_total,
        tax_total=tax_total if tax_total is not None else Decimal(0),
        gross_total=_money(
            summation, "ram:GrandTotalAmount", "total with VAT (BT-112)", needed=True
        ),
        amount_due=_money(
            summation, "ram:DuePayableAmount", "amount due (BT-115)", needed=True
        ),
        allowance_total=allowance_total,
        charge_total=charge_total,
        prepaid=_money(summation, "ram:TotalPrepaidAmount", "paid amount (BT-113)"),
        rounding=_money(summation, "ram:RoundingAmount", "rounding amount (BT-114)"),
    )


def _is_charge(element) -> bool:
    return (_text(element, "ram:ChargeIndicator/udt:Indicator") or "").lower() == "true"


def _allowance_charge(element) -> AllowanceCharge:
    return AllowanceCharge(
        is_charge=_is_charge(element),
        amount=_money(
            element,
            "ram:ActualAmount",
            "allowance or charge amount (BT-92)",
            needed=True,
        ),
        category=_text(element, "ram:CategoryTradeTax/ram:CategoryCode") or "",
        rate=_money(
            element,
            "ram:CategoryTradeTax/ram:RateApplicablePercent",
            "VAT rate (BT-96)",
        ),
        reason=_text(element, "ram:Reason"),
        reason_code=_text(element, "ram:ReasonCode"),
        base_amount=_money(element, "ram:BasisAmount", "base amount (BT-93)"),
        percentage=_money(element, "ram:CalculationPercent", "percentage (BT-94)"),
    )


def _line(line) -> EInvoiceLine:
    document = _one(line, "ram:AssociatedDocumentLineDocument")
    line_id = _text(document, "ram:LineID") or ""
    product = _one(line, "ram:SpecifiedTradeProduct")
    agreement = _one(line, "ram:SpecifiedLineTradeAgreement")
    settlement = _one(line, "ram:SpecifiedLineTradeSettlement")
    quantity = _one(line, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")
    net_price = _one(agreement, "ram:NetPriceProductTradePrice")
    signed = Decimal(0)
    for ac in _all(settlement, "ram:SpecifiedTradeAllowanceCharge"):
        value = amount(
            _text(ac, "ram:ActualAmount"), f"line {line_id} allowance or charge"
        )
        if value is not None:
            signed += value if _is_charge(ac) else -value
    return EInvoiceLine(
        line_id=line_id,
        name=_text(product, "ram:Name") or "",
        quantity=required(
            amount(
                quantity.text if quantity is not None else None,
                f"line {line_id} quantity (BT-129)",
            ),
            f"line {line_id} quantity (BT-129)",
        ),
        unit_code=clean(quantity.get("unitCode")) if quantity is not None else None,
        net_amount=_money(
            settlement,
            "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
            f"line {line_id} net amount (BT-131)",
            needed=True,
        ),
        net_price=_money(
            net_price,
            "ram:ChargeAmount",
            f"line {line_id} net price (BT-146)",
            needed=True,
        ),
        vat_category=_text(settlement, "ram:ApplicableTradeTax/ram:CategoryCode") or "",
        vat_rate=_money(
            settlement,
            "ram:ApplicableTradeTax/ram:RateApplicablePercent",
            f"line {line_id} VAT rate (BT-152)",
        ),
        price_base_quantity=_money(
            net_price,
            "ram:BasisQuantity",
            f"line {line_id} price base quantity (BT-149)",
        ),
        gross_price=_money(
            agreement,
            "ram:GrossPriceProductTradePrice/ram:ChargeAmount",
            f"line {line_id} gross price (BT-148)",
        ),
        order_line_reference=_text(
            agreement, "ram:BuyerOrderReferencedDocument/ram:LineID"
        ),
        description=_text(product, "ram:Description"),
        seller_item_id=_text(product, "ram:SellerAssignedID"),
        note=_text(document, "ram:IncludedNote/ram:Content"),
        allowances_charges_total=signed,
    )
