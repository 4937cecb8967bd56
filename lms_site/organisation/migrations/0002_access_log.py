"""Reserved for: personal-data access log (issue 12 item 9). Fill in operations (hand-written or moved from makemigrations output)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("organisation", "0001_initial")]

    operations = []
