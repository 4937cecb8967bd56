"""Issue 12: issuer keys sealed at rest and rotatable; a W3C Bitstring Status List per key (ADR 0015).

Data: each existing plain key is sealed with the configured KEK (``DJANGO_CREDENTIAL_KEK``; development and
tests derive one; production refuses to run without it) and gets a status list; each existing certificate
gets an entry in its municipality's list, and its stored credential is re-signed with the same key with a
``credentialStatus`` added (same issuer, same content otherwise), so revocations reach verifiers of every
credential fetched from now on. Copies fetched before cannot learn of a revocation (they name no list).
"""

import secrets
import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# The status list URL as of this migration (views_certificates.status_list).
STATUS_LIST_PATH = "/certificates/status-lists/{uuid}.json"


def seal_keys_and_list_certificates(apps, schema_editor):
    IssuerKey = apps.get_model("certification", "IssuerKey")
    StatusList = apps.get_model("certification", "StatusList")
    Certificate = apps.get_model("certification", "Certificate")
    rows = list(IssuerKey.objects.order_by("pk"))
    if not rows:
        return
    from assessments.certification.kek import configured_kek
    from assessments.certification.openbadges import keys, ob3, status

    kek = configured_kek()
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    for row in rows:
        private_key = keys.private_key_from_text(row.private_key)
        public = keys.public_key_multibase(private_key.public_key())
        row.public_key = public
        row.sealed_private_key = keys.seal_private_key(private_key, kek, context=public)
        row.kek_id = keys.kek_id(kek)
        row.private_key = ""
        row.save(update_fields=["public_key", "sealed_private_key", "kek_id", "private_key"])
        status_list = StatusList.objects.create(issuer_key=row, index_secret=secrets.token_hex(32))
        list_url = base + STATUS_LIST_PATH.format(uuid=status_list.uuid)
        did = f"did:key:{public}"
        for certificate in Certificate.objects.filter(municipality_id=row.municipality_id).order_by("pk"):
            index = status.list_index(
                status_list.allocated,
                secret=bytes.fromhex(status_list.index_secret),
                length=status_list.length,
            )
            status_list.allocated += 1
            certificate.status_list = status_list
            certificate.status_index = index
            credential = certificate.credential or {}
            issuer = credential.get("issuer")
            issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
            if credential.get("proof") and issuer_id == did:
                unsigned = {key: value for key, value in credential.items() if key != "proof"}
                unsigned["credentialStatus"] = status.status_entry(list_url=list_url, index=index)
                certificate.credential = ob3.sign(unsigned, private_key, f"{did}#{public}")
            certificate.save(update_fields=["status_list", "status_index", "credential"])
        status_list.save(update_fields=["allocated"])


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0002_capstones_certificates"),
        ("organisation", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="StatusList",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("purpose", models.CharField(default="revocation", editable=False, max_length=20)),
                ("length", models.PositiveIntegerField(default=131072, editable=False)),
                ("index_secret", models.CharField(editable=False, max_length=64)),
                ("allocated", models.PositiveIntegerField(default=0, editable=False)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("credential", models.JSONField(blank=True, default=dict, editable=False)),
                ("credential_version", models.PositiveIntegerField(default=0, editable=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "issuer_key",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="status_lists",
                        to="certification.issuerkey",
                    ),
                ),
            ],
            options={
                "verbose_name": "失効リスト",
                "verbose_name_plural": "失効リスト",
                "ordering": ["issuer_key", "created_at", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("allocated__lte", models.F("length"))),
                        name="status_list_capacity",
                    )
                ],
            },
        ),
        migrations.AlterModelOptions(
            name="issuerkey",
            options={
                "ordering": ["municipality", "created_at", "pk"],
                "verbose_name": "認定証の署名鍵",
                "verbose_name_plural": "認定証の署名鍵",
            },
        ),
        migrations.AlterField(
            model_name="issuerkey",
            name="municipality",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="issuer_keys",
                to="organisation.municipality",
            ),
        ),
        migrations.AddField(
            model_name="issuerkey",
            name="public_key",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="公開鍵"),
        ),
        migrations.AddField(
            model_name="issuerkey",
            name="sealed_private_key",
            field=models.TextField(default="", editable=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="issuerkey",
            name="kek_id",
            field=models.CharField(default="", editable=False, max_length=16),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="issuerkey",
            name="retired_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="廃止日時"),
        ),
        migrations.AddField(
            model_name="certificate",
            name="status_list",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="certificates",
                to="certification.statuslist",
            ),
        ),
        migrations.AddField(
            model_name="certificate",
            name="status_index",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddConstraint(
            model_name="certificate",
            constraint=models.UniqueConstraint(
                fields=("status_list", "status_index"), name="certificate_status_index_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="issuerkey",
            constraint=models.UniqueConstraint(
                condition=models.Q(("retired_at__isnull", True)),
                fields=("municipality",),
                name="issuer_key_one_active",
            ),
        ),
        migrations.RunPython(seal_keys_and_list_certificates, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="issuerkey", name="private_key"),
        migrations.AlterField(
            model_name="issuerkey",
            name="public_key",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="公開鍵"),
        ),
    ]
