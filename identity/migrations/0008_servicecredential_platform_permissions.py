"""Root service credentials hold the platform permissions they were given, stored on the row.

Before this, every root credential was treated as holding organizations:read and :write; the
rows that exist keep exactly that, and new ones hold what their creator gives them.
"""

from django.db import migrations, models

HELD_BEFORE = ["organizations:read", "organizations:write"]


def keep_what_root_credentials_held(apps, schema_editor):
    ServiceCredential = apps.get_model("identity", "ServiceCredential")
    ServiceCredential.objects.filter(organization__isnull=True).update(platform_permissions=HELD_BEFORE)


class Migration(migrations.Migration):

    dependencies = [
        ("identity", "0007_invitation"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicecredential",
            name="platform_permissions",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(keep_what_root_credentials_held, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="servicecredential",
            constraint=models.UniqueConstraint(
                condition=models.Q(organization__isnull=True),
                fields=["name"],
                name="root_service_credential_name_unique",
            ),
        ),
    ]
