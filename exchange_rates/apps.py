from django.apps import AppConfig


class ExchangeRatesConfig(AppConfig):
    name = "exchange_rates"
    verbose_name = "Exchange rates"

    def ready(self):
        from audit.registry import RecordKind, register_kind

        register_kind(
            RecordKind(
                entity_type="exchange_rate",
                audit_type="EXCHANGE_RATE_ACTION",
                label="Exchange rate",
                name_field="label",
            )
        )
