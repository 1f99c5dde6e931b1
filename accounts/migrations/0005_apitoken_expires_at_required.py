from django.db import migrations, models


class Migration(migrations.Migration):
    """Every token has its expiry now (0004 gave the older ones theirs)."""

    dependencies = [
        ("accounts", "0004_apitoken_expires_at_read_only"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(help_text="After this the token is refused."),
        ),
    ]
