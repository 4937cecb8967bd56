"""PostgreSQL row-level security on notifications (their subjects and digests name people; ADR 0016)."""

from django.db import migrations

from lms_site.organisation import row_security

# Frozen here: a later change of the live list needs its own migration.
POLICIES = {"notifications_notification": "municipality_id"}


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements(POLICIES):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        migrations.RunPython(run(row_security.enable_sql), run(row_security.disable_sql), elidable=False),
    ]
