"""PostgreSQL row-level security on the personal-data tables (issue 13, ADR 0016). Nothing on SQLite."""

from django.db import migrations

from lms_site.organisation import row_security

# Frozen here: a later change of the live list needs its own migration.
POLICIES = {
    "organisation_staffprofile": "municipality_id",
    "organisation_staffimport": "municipality_id",
    "organisation_personaldataaccess": "municipality_id",
    "certification_certificate": "municipality_id",
    "organisation_assignment": "staff_id IN (SELECT id FROM organisation_staffprofile)",
    "assessments_evidence": "user_id IN (SELECT user_id FROM organisation_staffprofile)",
    "certification_competencylevel": "user_id IN (SELECT user_id FROM organisation_staffprofile)",
    "certification_qualificationclaim": "user_id IN (SELECT user_id FROM organisation_staffprofile)",
    "certification_capstone": "user_id IN (SELECT user_id FROM organisation_staffprofile)",
}


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements(POLICIES):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0003_credential_keys_status"),
        ("assessments", "0004_exam_conflicts"),
        ("organisation", "0003_municipality_kind"),
    ]

    operations = [
        migrations.RunPython(run(row_security.enable_sql), run(row_security.disable_sql), elidable=False),
    ]
