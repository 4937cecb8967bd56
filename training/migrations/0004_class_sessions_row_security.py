"""PostgreSQL row-level security on classroom sessions and their registrations (personal data; ADR 0016)."""

from django.db import migrations

from lms_site.organisation import row_security

# Frozen here: a later change of the live list needs its own migration.
POLICIES = {
    "training_classsession": "municipality_id",
    "training_sessionregistration": "staff_id IN (SELECT id FROM organisation_staffprofile)",
}


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements(POLICIES):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("training", "0003_class_sessions")]

    operations = [
        migrations.RunPython(run(row_security.enable_sql), run(row_security.disable_sql), elidable=False),
    ]
