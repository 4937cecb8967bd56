"""The personal-data access log, moved here from analytics so that every app can write to it (ADR 0014)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonalDataAccess",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="日時")),
                ("view", models.CharField(max_length=50, verbose_name="画面・出力")),
                ("parameters", models.JSONField(blank=True, default=dict, verbose_name="条件")),
                ("rows", models.PositiveIntegerField(default=0, verbose_name="件数")),
                (
                    "municipality",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisation.municipality",
                        verbose_name="自治体",
                    ),
                ),
                (
                    "subject",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="organisation.staffprofile",
                        verbose_name="閲覧された職員",
                    ),
                ),
                (
                    "viewer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="閲覧者",
                    ),
                ),
            ],
            options={
                "verbose_name": "個人データの閲覧記録",
                "verbose_name_plural": "個人データの閲覧記録",
                "ordering": ["-at", "-pk"],
                "indexes": [
                    models.Index(fields=["municipality", "at"], name="organisatio_municip_077b53_idx"),
                    models.Index(fields=["viewer", "at"], name="organisatio_viewer__e31861_idx"),
                    models.Index(fields=["subject", "at"], name="organisatio_subject_0340c8_idx"),
                ],
            },
        ),
    ]
