"""
A run's vendor payments, grouped from the invoices it schedules: one
payment per vendor and currency, with the bank details the run will pay,
net of the credit notes it reserves (payments.netting).
Nothing here reads or writes; the service grows the builder chunk by chunk.
"""

import uuid
from decimal import Decimal

from payments.models import AppliedCredit, SettledInvoice, VendorPayment
from payments.selectors import credits_netted


class RunBuilder:
    """The run's payments, grown chunk by chunk as invoices are scheduled."""

    def __init__(self, proposal):
        self.payment_date = proposal.payment_date
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
