"""Issue 18 (docs/scale.md, "Indexes"): the level table keeps no index of ``user_id`` alone (the unique
``(user_id, competency_id)`` leads with it) nor of ``competency_id`` alone (the ``(competency_id, level)``
index leads with it): one index insertion fewer each per level row written, the same lookups served
(a person's rows, the cascades on deleting a person or a competency). Reversible."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0007_status_list_base_url"),
        ("competencies", "0002_reference_frameworks_and_mappings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="competencylevel",
            name="competency",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="person_levels",
                to="competencies.competency",
                verbose_name="能力項目",
            ),
        ),
        migrations.AlterField(
            model_name="competencylevel",
            name="user",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="competency_levels",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
