"""Conflict-of-interest exceptions granted by 人事課 (issue 12 item 4, ADR 0010)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_exam_pool"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ExamConflictException",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reason",
                    models.TextField(help_text="特例を認める理由(監査のために残ります)", verbose_name="理由"),
                ),
                (
                    "valid_until",
                    models.DateField(
                        help_text="この日まで受験を開始できます(最長90日)", verbose_name="有効期限"
                    ),
                ),
                (
                    "granted_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="承認日時"),
                ),
                (
                    "granted_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="承認者",
                    ),
                ),
                (
                    "quiz",
                    models.ForeignKey(
                        limit_choices_to={"is_leader_exam": True},
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="conflict_exceptions",
                        to="assessments.quiz",
                        verbose_name="試験",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="exam_conflict_exceptions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="受験する人",
                    ),
                ),
            ],
            options={
                "verbose_name": "試験受験の特例",
                "verbose_name_plural": "試験受験の特例",
                "ordering": ["-granted_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("user", models.F("granted_by")), _negated=True),
                        name="exam_exception_not_self_granted",
                    )
                ],
            },
        ),
    ]
