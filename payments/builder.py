"""
A run's vendor payments, grouped from the invoices it schedules: one
payment per vendor and currency, with the bank details the run will pay,
net of the credit notes it reserves (payments.netting).
Nothing here reads or writes; the service grows the builder chunk by chunk.

Each payment is paid from the company account of its currency (issue 17)
and keeps the creditor's structured address as the run was built; the
build refuses a currency no usable account pays and a creditor whose
transfer needs an address it lacks (`build_refusals`).
"""

import dataclasses
import uuid
from decimal import Decimal

from core.addresses import PostalAddress
from payments.addressing import address_requirement, missing_address_message
from payments.models import (
    AppliedCredit,
    PaymentAddress,
    SettledInvoice,
    VendorPayment,
)
from payments.selectors import credits_netted


def build_refusals(*, vendors_by_currency: dict, accounts: list) -> list[str]:
    """
    Why a run paying `vendors_by_currency` ({currency: [Vendor]}) from the
    company's `accounts` cannot be built: a currency without a usable
    account, a creditor without the address its transfer needs. Without any
    account at all (a company before paying accounts) nothing is refused:
    the PAYER_* settings pay as before.
    """
    if not accounts:
        return []
    problems = []
    for currency in sorted(vendors_by_currency):
        same = [a for a in accounts if a.currency == currency and a.active]
        if not any(a.usable for a in same):
            waiting = ", ".join(a.name for a in same)
            problems.append(
                f"No usable {currency} paying account: "
                + (
                    f"{waiting} awaits another Admin's confirmation under Treasury"
                    if waiting
                    else "Admin adds one under Treasury"
                )
            )
        for vendor in sorted(vendors_by_currency[currency], key=lambda v: v.name):
            country = vendor.country or (vendor.iban[:2] if vendor.iban else None)
            requirement = address_requirement(
                currency=currency, iban=vendor.iban, country=country
            )
            if requirement and not PostalAddress.of(vendor).has_town_and_country:
                problems.append(
                    missing_address_message(
                        vendor_name=vendor.name,
                        country=country,
                        requirement=requirement,
                    ).rstrip(".")
                )
    return problems


def payment_address(vendor) -> PaymentAddress | None:
    """The vendor's structured address as a payment keeps it; None if it has none."""
    address = PostalAddress.of(vendor)
    if address.is_empty:
        return None
    return PaymentAddress(**dataclasses.asdict(address))


class RunBuilder:
    """The run's payments, grown chunk by chunk as invoices are scheduled."""

    def __init__(self, proposal, *, paying_accounts: dict | None = None):
        self.payment_date = proposal.payment_date
        # The company account paying each currency ({currency: account});
        # empty before paying accounts: the PAYER_* settings pay.
        self.paying_accounts = paying_accounts or {}
        self.vendors = {p.vendor.id: p.vendor for p in proposal.payments}
        # A payment keeps its id (the file's EndToEndId) as chunks join it.
        self.payment_ids: dict[tuple[str, str], str] = {}
        self.included: list = []  # ProposedInvoice scheduled so far
        self.included_credits: list = []  # credit notes (Invoice) reserved so far
        # Invoice (and credit note) numbers another run took meanwhile.
        self.left_out: list[str] = []

    def payments(self, extra: list, extra_credits: list = ()) -> list[VendorPayment]:
        """
        Return the run's payments once the proposed invoices `extra` and the
        credit notes `extra_credits` join it: each payment's credits netted
        oldest first against its invoices so far (a credit reserved before
        all its invoices joined nets what they come to so far, even nothing).
        """
        grouped: dict[tuple[str, str], list] = {}
        for item in self.included + extra:
            key = (item.invoice.vendor_id, item.invoice.currency)
            grouped.setdefault(key, []).append(item)
        reserved: dict[tuple[str, str], list] = {}
        for credit in self.included_credits + list(extra_credits):
            reserved.setdefault((credit.vendor_id, credit.currency), []).append(credit)
            grouped.setdefault((credit.vendor_id, credit.currency), [])
        result = []
        for (vendor_id, currency), items in grouped.items():
            credits = reserved.get((vendor_id, currency), [])
            netted = credits_netted(items, credits, currency)
            applied = {a.credit_id: a.amount for a in netted.applications}
            vendor = self.vendors[vendor_id]
            payment_id = self.payment_ids.setdefault(
                (vendor_id, currency), uuid.uuid4().hex
            )
            result.append(
                VendorPayment(
                    id=payment_id,
                    vendor_id=vendor_id,
                    vendor_name=vendor.name,
                    currency=currency,
                    iban=vendor.iban,
                    bic=vendor.bic,
                    account_number=None if vendor.iban else vendor.account_number,
                    routing_number=None if vendor.iban else vendor.routing_number,
                    paying_account_id=getattr(
                        self.paying_accounts.get(currency), "id", None
                    ),
                    address=payment_address(vendor),
                    amount=netted.transfer,
                    discount=sum((i.settlement.discount for i in items), Decimal(0)),
                    invoices=[
                        SettledInvoice(
                            invoice_id=i.invoice.id,
                            invoice_number=i.invoice.invoice_number,
                            due_date=i.invoice.due_date,
                            total_amount=i.invoice.total_amount,
                            discount=i.settlement.discount,
                            amount=i.settlement.amount,
                        )
                        for i in items
                    ],
                    credits=[
                        AppliedCredit(
                            credit_note_id=c.id,
                            credit_note_number=c.invoice_number,
                            invoice_date=c.invoice_date,
                            open_amount=c.credit_open,
                            amount=applied.get(c.id, Decimal(0)),
                        )
                        for c in sorted(
                            credits,
                            key=lambda c: (c.invoice_date, c.invoice_number, c.id),
                        )
                    ],
                )
            )
        result.sort(key=lambda p: (p.vendor_name.casefold(), p.currency))
        return result
