"""The maintained level table: ``CompetencyLevel``, one row per person × competency (the competency
carries its framework version). Written only by ``services.levels_recompute*``; reports read it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.competencies.api import LEVEL_VALIDATORS, Competency, level_in_range
from lms_site.organisation.api import TenantManager


class CompetencyLevel(models.Model):
    # Neither foreign key has an index of its own: the unique (user, competency) leads with the person,
    # the (competency, level) index with the competency; they serve the lookups and the cascades, and a
    # row written updates two indexes fewer (docs/scale.md, "Indexes").
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="competency_levels", db_index=False
    )
    competency = models.ForeignKey(
        Competency,
        on_delete=models.CASCADE,
        related_name="person_levels",
        verbose_name=_("能力項目"),
        db_index=False,
    )
    level = models.PositiveSmallIntegerField(_("レベル"), validators=LEVEL_VALIDATORS)
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now)
    # The owner's staff record, joined on ``user_id`` directly (no column; ``user__staff_profile`` would
    # join ``auth_user`` in between, a third of the coverage report's query at a city's size).
    staff = models.ForeignObject(
        "organisation.StaffProfile",
        on_delete=models.DO_NOTHING,
        from_fields=["user"],
        to_fields=["user"],
        related_name="+",
        null=True,  # an account with no staff record (an advisor) may hold levels
        editable=False,
    )

    # A staff member's: an unscoped query raises; a scoped one sees its municipality's people (ADR 0016).
    objects = TenantManager("staff__municipality")

    class Meta:
        verbose_name = _("能力レベル")
        verbose_name_plural = _("能力レベル")
        ordering = ["user", "competency__sort_order", "competency__code"]
        constraints = [
            models.UniqueConstraint(fields=["user", "competency"], name="competency_level_once"),
            models.CheckConstraint(condition=level_in_range("level"), name="competency_level_range"),
        ]
        indexes = [models.Index(fields=["competency", "level"])]
        # The evidence review permission belongs to this app (the Evidence model is the assessments app's).
        permissions = [("verify_evidence", _("学習実績(資格など)を確認・却下できる"))]

    def __str__(self) -> str:
        return f"{self.user} {self.competency.code} Lv{self.level}"
