import datetime as dt

from django.db import migrations, models

# Tokens issued before expiry existed expire this long after their creation
# (the default lifetime of a new token then): a token older than that stops
# working at once, rather than living on forever until someone rotates it.
LEGACY_LIFETIME = dt.timedelta(days=90)


def give_legacy_tokens_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True):
        token.expires_at = token.created_at + LEGACY_LIFETIME
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    # Rows are updated here and the column made NOT NULL in 0005: PostgreSQL
    # refuses to alter a table with row changes pending in the same transaction.
    dependencies = [
        ("accounts", "0003_profile_email_preferences"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(give_legacy_tokens_an_expiry, migrations.RunPython.noop),
        migrations.AddField(
            model_name="apitoken",
            name="read_only",
            field=models.BooleanField(
                default=False,
                help_text="May only read (GET); any change it sends is refused with 403.",
                verbose_name="read-only",
            ),
        ),
    ]
