"""External qualifications: ``Qualification`` + ``QualificationCompetency``, the configurable map from a
qualification to competency levels; ``QualificationClaim`` is a learner's claim with its proof file, whose
evidence rows (``assessments.Evidence``, source ``qualification``) carry ``source_key = claim:<id>``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable

from courses.competencies.api import LEVEL_VALIDATORS, Competency, level_in_range
from lms_site.organisation.api import TenantManager

from ..storage import ProofStorage, proof_upload_to
from .programmes import CODE_VALIDATOR, CURRENT_COMPETENCIES


class Qualification(ClusterableModel):
    code = models.CharField(_("コード"), max_length=30, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("名称"), max_length=100, unique=True)
    issuer = models.CharField(_("実施団体"), max_length=100, blank=True)
    description = models.TextField(_("説明"), blank=True)
    is_active = models.BooleanField(_("申請を受け付ける"), default=True)

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("name")]),
        FieldPanel("issuer"),
        FieldPanel("description"),
        FieldPanel("is_active"),
        InlinePanel("mappings", label=_("根拠となる能力項目とレベル")),
    ]

    class Meta:
        verbose_name = _("資格")
        verbose_name_plural = _("資格")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QualificationCompetency(Orderable):
    qualification = ParentalKey(Qualification, on_delete=models.CASCADE, related_name="mappings")
    competency = models.ForeignKey(
        Competency,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=CURRENT_COMPETENCIES,
        verbose_name=_("能力項目"),
    )
    level = models.PositiveSmallIntegerField(_("レベル"), validators=LEVEL_VALIDATORS)

    panels = [FieldRowPanel([FieldPanel("competency"), FieldPanel("level")])]

    class Meta(Orderable.Meta):
        verbose_name = _("資格と能力項目の対応")
        verbose_name_plural = _("資格と能力項目の対応")
        constraints = [
            models.UniqueConstraint(fields=["qualification", "competency"], name="qualification_map_once"),
            models.CheckConstraint(condition=level_in_range("level"), name="qualification_map_range"),
        ]

    def __str__(self) -> str:
        return f"{self.qualification} → {self.competency.code} Lv{self.level}"


class QualificationClaim(models.Model):
    """A learner's claim to hold a qualification, with the uploaded proof (never served publicly)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qualification_claims"
    )
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, related_name="claims", verbose_name=_("資格")
    )
    passed_on = models.DateField(_("合格日・取得日"))
    certificate_number = models.CharField(_("合格証書番号・登録番号"), max_length=50, blank=True)
    proof = models.FileField(_("証明書類"), storage=ProofStorage(), upload_to=proof_upload_to, max_length=200)
    proof_name = models.CharField(_("元のファイル名"), max_length=200)
    proof_content_type = models.CharField(max_length=50)
    proof_size = models.PositiveIntegerField()
    created_at = models.DateTimeField(_("申請日時"), default=timezone.now)

    # A staff member's: an unscoped query raises; a scoped one sees its municipality's people (ADR 0016).
    objects = TenantManager("user__staff_profile__municipality")

    class Meta:
        verbose_name = _("資格の申請")
        verbose_name_plural = _("資格の申請")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.qualification}"

    @property
    def source_key(self) -> str:
        """The ``source_key`` of this claim's evidence rows."""
        return f"claim:{self.pk}"
