"""Reserved for: conflict-of-interest exceptions (issue 12 item 4). Fill in operations (hand-written or moved from makemigrations output)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_exam_pool")]

    operations = []
