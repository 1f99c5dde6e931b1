from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"

    def ready(self):
        from audit.registry import RecordKind, register_kind
        from payments.events import payment_run_history_fields
        from payments.models import REFUSED_BUILD_PREFIX
        from payments.selectors import payment_run_ids_numbered

        register_kind(
            RecordKind(
                entity_type="payment_run",
                audit_type="PAYMENT_ACTION",
                label="Payment run",
                page="payments:detail",
                name_field="number",
                # A refused build's entry has an id of its own and no run.
                has_page=lambda run_id: not run_id.startswith(REFUSED_BUILD_PREFIX),
                find=lambda text: payment_run_ids_numbered(number=text),
                fields=payment_run_history_fields(),
            )
        )

        from payments.events import bank_statement_history_fields

        register_kind(
            RecordKind(
                entity_type="bank_statement",
                audit_type="PAYMENT_ACTION",
                label="Bank statement",
                page="payments:bank-statement",
                name_field="filename",
                fields=bank_statement_history_fields(),
            )
        )

        from comments.registry import CommentableKind, register_commentable
        from payments.selectors import payment_run_get

        register_commentable(
            CommentableKind(
                entity_type="payment_run",
                label="Payment run",
                read=lambda record_id: payment_run_get(run_id=record_id),
                name=lambda run: run.number,
            )
        )
