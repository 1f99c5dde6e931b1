"""E-invoices made by hand (einvoicing.document), for the import's tests."""

import datetime as dt
import hashlib
from dataclasses import replace
from decimal import Decimal as D

from einvoicing.document import (
    AllowanceCharge,
    Container,
    EInvoice,
    EInvoiceLine,
    EInvoiceType,
    Party,
    PartyAddress,
    PaymentAccount,
    ReceivedFile,
    Syntax,
    Totals,
    VatBreakdown,
)

SELLER_VAT_ID = "NL820098395B01"  # valid in python-stdnum
SELLER_IBAN = "NL91ABNA0417164300"


def line(line_id, quantity, price, *, net=None, category="S", rate="19", **fields):
    quantity, price = D(quantity), D(price)
    return EInvoiceLine(
        line_id=str(line_id),
        name=fields.pop("name", f"Item {line_id}"),
        quantity=quantity,
        unit_code="EA",
        net_amount=D(net)
        if net is not None
        else (quantity * price).quantize(D("0.01")),
        net_price=price,
        vat_category=category,
        vat_rate=D(rate) if rate is not None else None,
        **fields,
    )


def einvoice(
    *,
    number="INV-1001",
    lines=None,
    allowances=(),
    order_reference="",
    document_type=EInvoiceType.INVOICE,
    seller=None,
    currency="EUR",
    due_date=None,
    prepaid=D("0.00"),
    **fields,
) -> EInvoice:
    """An invoice whose totals and VAT breakdown follow from its lines."""
    lines = tuple(lines or (line(1, "10", "100.00"), line(2, "5", "20.00")))
    allowances = tuple(allowances)
    bases: dict[tuple, D] = {}
    for item in lines:
        key = (item.vat_category, item.vat_rate)
        bases[key] = bases.get(key, D("0")) + item.net_amount
    for item in allowances:
        key = (item.category, item.rate)
        signed = item.amount if item.is_charge else -item.amount
        bases[key] = bases.get(key, D("0")) + signed
    breakdown = tuple(
        VatBreakdown(
            category=category,
            rate=rate,
            taxable_amount=base,
            tax_amount=(base * (rate or 0) / 100).quantize(D("0.01"))
            if category == "S"
            else D("0.00"),
        )
        for (category, rate), base in bases.items()
    )
    line_total = sum((item.net_amount for item in lines), D("0"))
    allowance_total = sum((a.amount for a in allowances if not a.is_charge), D("0"))
    charge_total = sum((a.amount for a in allowances if a.is_charge), D("0"))
    net = line_total - allowance_total + charge_total
    tax = sum((b.tax_amount for b in breakdown), D("0"))
    return EInvoice(
        syntax=Syntax.UBL,
        specification="urn:cen.eu:en16931:2017",
        type_code="381" if document_type == EInvoiceType.CREDIT_NOTE else "380",
        document_type=document_type,
        number=number,
        issue_date=fields.pop("issue_date", dt.date(2026, 11, 20)),
        currency=currency,
        seller=seller
        or Party(
            name="Seller BV",
            vat_id=SELLER_VAT_ID,
            legal_id="57151520",
            address=PartyAddress(
                street="Hoofdstraat 1",
                town="Amsterdam",
                postcode="1011AA",
                country="NL",
            ),
            contact_email="billing@seller.example",
        ),  # fmt: skip
        buyer=Party(name="Buyer GmbH"),
        lines=lines,
        vat_breakdown=breakdown,
        totals=Totals(
            line_total=line_total,
            net_total=net,
            tax_total=tax,
            gross_total=net + tax,
            amount_due=net + tax - prepaid,
            allowance_total=allowance_total or None,
            charge_total=charge_total or None,
            prepaid=prepaid or None,
        ),
        allowances_charges=allowances,
        due_date=due_date,
        order_reference=order_reference or None,
        payment_accounts=(PaymentAccount(iban=SELLER_IBAN, bic="ABNANL2A"),),
        **fields,
    )


def allowance(amount, *, charge=False, rate="19", reason="Discount"):
    return AllowanceCharge(
        is_charge=charge, amount=D(amount), category="S", rate=D(rate), reason=reason
    )


def received(document: EInvoice, *, tag: str = "", filename="invoice.xml"):
    """The file it came in: its XML stands for the document (`tag` varies it)."""
    xml = f"<Invoice><ID>{document.number}</ID>{tag}</Invoice>".encode()
    return ReceivedFile(
        syntax=Syntax.UBL,
        container=Container.XML,
        xml=xml,
        pdf=None,
        sha256=hashlib.sha256(xml).hexdigest(),
        filename=filename,
    )


__all__ = ["einvoice", "line", "allowance", "received", "replace"]
