from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("identity", "0009_platform_audit_actions"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicecredential",
            name="jwks_uri",
            field=models.URLField(blank=True, default="", max_length=2000),
        ),
        migrations.AddField(
            model_name="servicecredential",
            name="federated_trusts",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
