"""
The filters of the admin's record lists.

Each record filter's fields are named as the arguments of the list selector
it feeds (`vendor_list(status=, name_prefix=)`), so a view passes them on.
"""

from enum import StrEnum

from django import forms

from core.forms import TextField, date_filter_field
from invoicing.models import InvoiceStatus
from payments.models import PaymentRunStatus
from purchasing.models import POStatus
from vendors.models import VendorStatus


def status_filter_field(statuses: type[StrEnum]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All")] + [(s.value, s.value.capitalize()) for s in statuses],
    )


def id_filter_field(label: str) -> TextField:
    return TextField(label=label, required=False, max_length=100)


class VendorRecordFilter(forms.Form):
    status = status_filter_field(VendorStatus)
    name_prefix = TextField(label="Name starts with", required=False, max_length=200)


class PurchaseOrderRecordFilter(forms.Form):
    status = status_filter_field(POStatus)
    vendor_id = id_filter_field("Vendor id")
    requester = TextField(label="Requester", required=False, max_length=150)
    created_from = date_filter_field("Created from")
    created_to = date_filter_field("Created to")


class InvoiceRecordFilter(forms.Form):
    status = status_filter_field(InvoiceStatus)
    po_id = id_filter_field("PO id")
    vendor_id = id_filter_field("Vendor id")
    submitted_from = date_filter_field("Entered from")
    submitted_to = date_filter_field("Entered to")


class PaymentRunRecordFilter(forms.Form):
    status = status_filter_field(PaymentRunStatus)
