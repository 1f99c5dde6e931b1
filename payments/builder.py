"""
A run's vendor payments, grouped from the invoices it schedules: one
payment per vendor and currency, with the bank details the run will pay.
Nothing here reads or writes; the service grows the builder chunk by chunk.
"""

import uuid
from decimal import Decimal

from payments.models import SettledInvoice, VendorPayment


class RunBuilder:
    """The run's payments, grown chunk by chunk as invoices are scheduled."""

    def __init__(self, proposal):
        self.payment_date = proposal.payment_date
        self.vendors = {p.vendor.id: p.vendor for p in proposal.payments}
        # A payment keeps its id (the file's EndToEndId) as chunks join it.
        self.payment_ids: dict[tuple[str, str], str] = {}
        self.included: list = []  # ProposedInvoice scheduled so far
        self.left_out: list[str] = []  # invoice numbers another run took

    def payments(self, extra: list) -> list[VendorPayment]:
        """Return the run's payments once the proposed invoices `extra` join it."""
        grouped: dict[tuple[str, str], list] = {}
        for item in self.included + extra:
            key = (item.invoice.vendor_id, item.invoice.currency)
            grouped.setdefault(key, []).append(item)
        result = []
        for (vendor_id, currency), items in grouped.items():
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
                    amount=sum((i.settlement.amount for i in items), Decimal(0)),
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
                )
            )
        result.sort(key=lambda p: (p.vendor_name.casefold(), p.currency))
        return result
