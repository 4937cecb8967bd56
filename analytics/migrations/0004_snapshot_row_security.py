"""PostgreSQL row-level security on the snapshot tables (ADR 0016): they hold each department's counts as
taken, before any suppression (a 課 of two people, how many of them hold a level), so they are walled like
the personal-data tables they are counted from. Snapshot runs hold no figures and are not walled."""

from django.db import migrations

from lms_site.organisation import row_security

# Frozen here: a later change of the live list needs its own migration.
POLICIES = {
    "analytics_departmentsnapshot": "municipality_id",
    "analytics_coveragesnapshot": "municipality_id",
}


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements(POLICIES):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_prefecture_view")]

    operations = [
        migrations.RunPython(run(row_security.enable_sql), run(row_security.disable_sql), elidable=False),
    ]
