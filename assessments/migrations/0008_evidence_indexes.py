"""Issue 18 (docs/scale.md, "Indexes"): evidence keeps no index of ``user_id`` alone (the ``(user_id,
status)`` index and the unique ``(user_id, competency_id, source, source_key)`` both lead with it), and
the reviewer's index holds only the rows someone reviewed (``WHERE reviewed_by_id IS NOT NULL``; most
evidence is never reviewed: quizzes and courses verify themselves). Deleting a reviewer sets
``reviewed_by_id = NULL WHERE reviewed_by_id IN (…)``, which implies ``IS NOT NULL``: the partial index
serves it, as it serves the foreign key's own check. Reversible (the full indexes are built again)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_own_approval_of_questions"),
        ("competencies", "0002_reference_frameworks_and_mappings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="evidence",
            index=models.Index(
                condition=models.Q(("reviewed_by__isnull", False)),
                fields=["reviewed_by"],
                name="evidence_reviewed_by_idx",
            ),
        ),
        migrations.AlterField(
            model_name="evidence",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="確認者",
            ),
        ),
        migrations.AlterField(
            model_name="evidence",
            name="user",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="evidence",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
