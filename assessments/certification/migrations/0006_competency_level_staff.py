import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0005_programmes_per_municipality"),
        ("organisation", "0007_municipality_site"),
    ]

    # CompetencyLevel.staff joins on the existing user_id column: no column, nothing for the database to
    # do either way (SQLite's table rebuild, run when migrating back, cannot copy a ForeignObject).
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="competencylevel",
                    name="staff",
                    field=models.ForeignObject(
                        editable=False,
                        from_fields=["user"],
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="organisation.staffprofile",
                        to_fields=["user"],
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
