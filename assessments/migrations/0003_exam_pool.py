"""Reserved for: exam-only question pool (issue 12 item 2). Fill in operations (hand-written or moved from makemigrations output)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_xblockstate")]

    operations = []
