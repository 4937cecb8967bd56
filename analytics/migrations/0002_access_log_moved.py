"""The personal-data access log moved to the organisation app (ADR 0014): copy every row, then drop ours.

Old rows had no subject; they belong to the viewer's municipality, which is what /hr/ showed them.
"""

from django.db import migrations

BATCH = 2000


def copy_forward(apps, schema_editor):
    old = apps.get_model("analytics", "PersonalDataAccess")
    new = apps.get_model("organisation", "PersonalDataAccess")
    staff = apps.get_model("organisation", "StaffProfile")
    municipality_of = dict(staff.objects.values_list("user_id", "municipality_id"))
    batch = []
    for row in old.objects.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(
            new(
                viewer_id=row.user_id,
                municipality_id=municipality_of.get(row.user_id),
                at=row.at,
                view=row.view,
                parameters=row.parameters,
                rows=row.rows,
            )
        )
        if len(batch) >= BATCH:
            new.objects.bulk_create(batch)
            batch = []
    new.objects.bulk_create(batch)


def copy_backward(apps, schema_editor):
    old = apps.get_model("analytics", "PersonalDataAccess")
    new = apps.get_model("organisation", "PersonalDataAccess")
    old.objects.bulk_create(
        (
            old(user_id=row.viewer_id, at=row.at, view=row.view, parameters=row.parameters, rows=row.rows)
            for row in new.objects.order_by("pk").iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
    )


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial"), ("organisation", "0002_access_log")]

    operations = [
        migrations.RunPython(copy_forward, copy_backward),
        migrations.DeleteModel(name="PersonalDataAccess"),
    ]
