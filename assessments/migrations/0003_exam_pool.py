"""Exam-only question pool (issue 12 item 2, ADR 0010), and the permission to export the bank with keys."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_xblockstate")]

    operations = [
        migrations.AlterModelOptions(
            name="question",
            options={
                "ordering": ["competency__code", "level", "title"],
                "permissions": [("export_question", "問題バンクを正解付きで書き出す")],
                "verbose_name": "問題",
                "verbose_name_plural": "問題",
            },
        ),
        migrations.AddField(
            model_name="question",
            name="exam_only",
            field=models.BooleanField(
                default=False,
                help_text="DX推進リーダー知識試験だけに出題し、練習用の小テストには出題しません。正解は受講者に表示されません。",
                verbose_name="試験専用",
            ),
        ),
    ]
