"""Reserved for: framework version integrity (issue 12 item 5). Fill in operations (hand-written or moved from makemigrations output)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("competencies", "0001_initial")]

    operations = []
