"""PostgreSQL row-level security on assigned training (a person's dues are personal data; ADR 0016)."""

from django.db import migrations

from lms_site.organisation import row_security

# Frozen here: a later change of the live list needs its own migration.
POLICIES = {
    "training_trainingrule": "municipality_id",
    "training_trainingdue": "staff_id IN (SELECT id FROM organisation_staffprofile)",
}


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements(POLICIES):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial"), ("certification", "0004_row_security")]

    operations = [
        migrations.RunPython(run(row_security.enable_sql), run(row_security.disable_sql), elidable=False),
    ]
