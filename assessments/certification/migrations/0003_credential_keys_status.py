"""Reserved for: encrypted keys, rotation, status list (issue 12 items 11-13). Fill in operations (hand-written or moved from makemigrations output)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("certification", "0002_capstones_certificates")]

    operations = []
