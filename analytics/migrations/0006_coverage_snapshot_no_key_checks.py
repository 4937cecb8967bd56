"""The coverage snapshot's keys are no longer checked by the database (ADR 0006): its rows are written
by one INSERT … SELECT joining the rows they name, and the per-row checks at commit cost as much as the
insert. The competency's index goes too: no query reads snapshots by competency alone."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0005_snapshot_indexes_once"),
    ]

    operations = [
        migrations.AlterField(
            model_name="coveragesnapshot",
            name="competency",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="competencies.competency",
            ),
        ),
        migrations.AlterField(
            model_name="coveragesnapshot",
            name="department",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="organisation.department",
            ),
        ),
        migrations.AlterField(
            model_name="coveragesnapshot",
            name="municipality",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="organisation.municipality",
            ),
        ),
    ]
