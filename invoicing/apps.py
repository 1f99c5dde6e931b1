from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "invoicing"

    def ready(self):
        from audit.registry import RecordFacts, RecordKind, register_kind
        from invoicing.events import invoice_history_fields, invoice_label
        from invoicing.selectors import (
            invoice_ids_numbered,
            invoices_get_many,
            recurring_invoice_get,
        )

        register_kind(
            RecordKind(
                entity_type="invoice",
                audit_type="INVOICE_ACTION",
                label="Invoice",
                page="invoicing:detail",
                name_field="invoice_number",
                find=lambda text: invoice_ids_numbered(number=text),
                fields=invoice_history_fields(),
                facts=lambda ids: {
                    i.id: RecordFacts(invoice_label(i), i.currency)
                    for i in invoices_get_many(invoice_ids=ids).values()
                },
            )
        )
        # Each run of the batch job writes its JOB_COMPLETE entry as its own record.
        register_kind(
            RecordKind(
                entity_type="reconciliation_job",
                audit_type="INVOICE_ACTION",
                label="Reconciliation job",
            )
        )

        # Recurring invoice templates (invoicing.recurring), audited as invoices.
        from invoicing.events import recurring_history_fields, recurring_label

        register_kind(
            RecordKind(
                entity_type="recurring_invoice",
                audit_type="INVOICE_ACTION",
                label="Recurring invoice",
                page="invoicing:recurring-edit",
                fields=recurring_history_fields(),
                facts=lambda ids: {
                    t.id: RecordFacts(recurring_label(t), t.currency)
                    for t in filter(
                        None,
                        (recurring_invoice_get(template_id=i) for i in ids),
                    )
                },
            )
        )

        from comments.registry import CommentableKind, register_commentable
        from invoicing.selectors import invoice_get

        register_commentable(
            CommentableKind(
                entity_type="invoice",
                label="Invoice",
                read=lambda record_id: invoice_get(invoice_id=record_id),
                name=invoice_label,
            )
        )

        from invoicing.selectors import invoices_waiting_for_po
        from purchasing.invoices_waiting import invoices_waiting_register

        invoices_waiting_register(lambda po_id: invoices_waiting_for_po(po_id=po_id))

        from core.panels import Panel
        from invoicing.selectors import invoice_list_for_po
        from purchasing.panels import PURCHASE_ORDER_PAGE

        PURCHASE_ORDER_PAGE.register(
            Panel(
                template="invoicing/_po_invoices.html",
                context=lambda po, user: {
                    "invoices": invoice_list_for_po(po_id=po.id, limit=20)
                },
            )
        )
