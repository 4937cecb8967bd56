"""Issued certifications and what verifies them: ``Certificate``, the municipality's signing keys
(``IssuerKey``) and the revocation lists offline verifiers check (``StatusList``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms_site.organisation.api import TenantManager

from .programmes import CertificationProgram


class IssuerKey(models.Model):
    """One of the municipality's Ed25519 keys that sign its Open Badges 3.0 credentials (``did:key`` from it).

    The private key is stored only sealed (AES-256-GCM under the key-encryption key from
    ``DJANGO_CREDENTIAL_KEK``, bound to ``public_key``; ``kek_id`` names the KEK), so a backup or
    ``dumpdata`` cannot sign anything. At most one key per municipality is active (signs new credentials);
    ``manage.py rotate_issuer_key`` retires it and creates the next. A retired key stays: credentials it
    signed keep verifying (their issuer is its ``did:key``) and it still signs its own status lists.
    """

    municipality = models.ForeignKey(
        "organisation.Municipality", on_delete=models.CASCADE, related_name="issuer_keys"
    )
    public_key = models.CharField(_("公開鍵"), max_length=64, unique=True, editable=False)
    sealed_private_key = models.TextField(editable=False)
    kek_id = models.CharField(max_length=16, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(_("廃止日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("認定証の署名鍵")
        verbose_name_plural = _("認定証の署名鍵")
        ordering = ["municipality", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"], condition=Q(retired_at__isnull=True), name="issuer_key_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.public_key[:12]}…"

    @property
    def did(self) -> str:
        return f"did:key:{self.public_key}"

    @property
    def verification_method(self) -> str:
        return f"did:key:{self.public_key}#{self.public_key}"


class StatusList(models.Model):
    """A W3C Bitstring Status List (revocation) of one issuer key, served signed at a stable URL.

    Certificates get the index of entry number ``allocated`` (then it grows: never reused), permuted so
    that indices do not reveal issue order (``openbadges.status.list_index`` keyed by ``index_secret``).
    ``version`` grows with every revocation; ``credential`` is the signed list of ``credential_version``,
    re-signed on request when they differ. ``base_url`` is the origin it and its certificates are
    published under (``certification.hosts``): the municipality's own site's when the list was made, or
    empty for the platform's address (``WAGTAILADMIN_BASE_URL``), as every list made before it had one.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    issuer_key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="status_lists")
    base_url = models.CharField(max_length=300, blank=True, default="", editable=False)
    purpose = models.CharField(max_length=20, default="revocation", editable=False)
    length = models.PositiveIntegerField(default=131_072, editable=False)
    index_secret = models.CharField(max_length=64, editable=False)
    allocated = models.PositiveIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    credential = models.JSONField(default=dict, blank=True, editable=False)
    credential_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("失効リスト")
        verbose_name_plural = _("失効リスト")
        ordering = ["issuer_key", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(allocated__lte=models.F("length")), name="status_list_capacity"
            )
        ]

    def __str__(self) -> str:
        return str(self.uuid)


class Certificate(models.Model):
    """A certification granted to a person for one programme period, verifiable at ``/certificates/<uuid>/``.

    ``period`` counts the person's certifications in the programme (1, then 2 on renewal …); the unique
    constraint on (user, program, period) is what makes issuing at most once per period safe under
    concurrency. ``credential`` is the signed OB 3.0 credential, fixed at issue.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("取得者"),
    )
    program = models.ForeignKey(
        CertificationProgram,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("認定制度"),
    )
    municipality = models.ForeignKey(
        "organisation.Municipality",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("発行者"),
    )
    period = models.PositiveSmallIntegerField(_("期"), default=1)
    recipient_name = models.CharField(_("取得者の氏名"), max_length=150)
    recipient_salt = models.CharField(max_length=32, editable=False)
    issued_on = models.DateField(_("認定日"))
    expires_on = models.DateField(_("有効期限"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("取消日時"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.TextField(_("取消の理由"), blank=True)
    credential = models.JSONField(default=dict, blank=True, editable=False)
    status_list = models.ForeignKey(
        StatusList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
        editable=False,
    )
    status_index = models.PositiveIntegerField(null=True, blank=True, editable=False)
    reminded_on = models.DateField(_("更新案内の送信日"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantManager("municipality")  # the issuing municipality's; unscoped, a query raises (ADR 0016)

    class Meta:
        verbose_name = _("認定証")
        verbose_name_plural = _("認定証")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "program", "period"], name="certificate_once_per_period"),
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="certificate_status_index_once"
            ),
        ]
        indexes = [models.Index(fields=["program", "issued_on"])]
        permissions = [("revoke_certificate", _("認定証を取り消せる"))]

    def __str__(self) -> str:
        return f"{self.program} {self.recipient_name} ({self.issued_on})"

    def get_absolute_url(self) -> str:
        """The public page, absolute: on the host its documents are published under (``hosts``)."""
        from ..hosts import municipality_base, origin

        base = self.status_list.base_url if self.status_list_id else municipality_base(self.municipality)
        return origin(base) + reverse("certification:certificate", args=[self.uuid])

    def status_on(self, day) -> str:
        """``revoked``, ``expired`` or ``valid`` on ``day`` (valid through its expiry date)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_on is not None and day > self.expires_on:
            return "expired"
        return "valid"
