"""The readable view of an invoice's e-invoice, rendered from its stored XML."""

from accounts.roles import require_reader
from core.errors import NotFound
from core.htmx import render_partial
from einvoicing.selectors import invoice_einvoice
from invoicing.selectors import invoice_get_or_404


def invoice_einvoice_view(request, invoice_id):
    """The e-invoice as the vendor sent it: a fragment of the invoice page, or a page."""
    require_reader(request.user)
    invoice = invoice_get_or_404(invoice_id=invoice_id)
    if not invoice.einvoice_key:
        raise NotFound(f"Invoice {invoice.invoice_number} came with no e-invoice.")
    context = {"invoice": invoice, "einvoice": invoice_einvoice(invoice=invoice)}
    return render_partial(
        request, "einvoicing/einvoice_page.html", context,
        partial="einvoicing/_einvoice.html",
    )  # fmt: skip
