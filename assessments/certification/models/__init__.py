"""Per-person competency levels, certification programmes as data, and qualifications with their map.

* ``CompetencyLevel``: the maintained level table (one row per person × competency; the competency
  carries its framework version). Written only by ``services.levels_recompute*``; reports read it.
* ``CertificationProgram`` + ``ProgramRequirement``: the rules HR edits in the admin (``rules.py``
  evaluates them). ``ProgramRequirement`` rows are "this competency at this level or higher".
* ``Qualification`` + ``QualificationCompetency``: the configurable map from an external qualification
  to competency levels; ``QualificationClaim`` is a learner's claim with its proof file, whose evidence
  rows (``assessments.Evidence``, source ``qualification``) carry ``source_key = claim:<id>``.
* ``Capstone`` (+ attachments, ``CapstoneDecision`` audit log, the programme's ``RubricCriterion`` rows):
  the 修了課題 workflow. ``Certificate`` + ``IssuerKey`` + ``StatusList``: issued certifications, the
  signing keys and the revocation lists offline verifiers check.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from courses.competencies.api import LEVEL_VALIDATORS, Competency, level_in_range
from lms_site.organisation.api import OwnedContentFormMixin, municipalities_of, offered_in, owner_foreign_key

from ..storage import ProofStorage, proof_upload_to

CODE_VALIDATOR = RegexValidator(r"^[A-Z0-9_]+$", _("半角英大文字・数字・_ で入力してください。"))
CURRENT_COMPETENCIES = {"framework__is_current": True}


class CompetencyLevel(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="competency_levels"
    )
    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="person_levels", verbose_name=_("能力項目")
    )
    level = models.PositiveSmallIntegerField(_("レベル"), validators=LEVEL_VALIDATORS)
    updated_at = models.DateTimeField(_("更新日時"), default=timezone.now)

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


class CertificationProgramForm(OwnedContentFormMixin, WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ids = municipalities_of(self.for_user) if self.for_user is not None else None
        if ids is not None and "prerequisite" in self.fields:  # only programmes offered to the editor
            field = self.fields["prerequisite"]
            field.queryset = field.queryset.filter(offered_in(ids))


class CertificationProgram(ClusterableModel):
    """A certification programme: the platform's shared default (no ``municipality``), a prefecture's, or a
    municipality's own. For each code, a municipality's staff are held to the most specific one offered
    to it: its own, else its prefecture's, else the shared default (``selectors.programs_in_force``), so a
    municipality adopts the default by doing nothing and changes it by copying it (ADR 0024)."""

    code = models.CharField(
        _("コード"),
        max_length=30,
        validators=[CODE_VALIDATOR],
        help_text=_("例: DX_LEADER。共通の認定制度と同じコードにすると、自団体ではこちらが使われます"),
    )
    municipality = owner_foreign_key(_("空欄は共通(全自治体の既定)"))
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("説明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    is_active = models.BooleanField(_("有効"), default=True)
    prerequisite = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("前提となる認定"),
        help_text=_("例: DXエキスパートにはDX推進リーダーの認定が必要"),
    )
    breadth_min_level = models.PositiveSmallIntegerField(
        _("全項目の最低レベル"),
        null=True,
        blank=True,
        validators=LEVEL_VALIDATORS,
        help_text=_("すべての能力項目がこのレベル以上であること。空欄は要件なし"),
    )
    specialism_min_level = models.PositiveSmallIntegerField(
        _("専門領域のレベル"),
        null=True,
        blank=True,
        validators=LEVEL_VALIDATORS,
        help_text=_("いずれか1つの領域で、すべての能力項目がこのレベル以上であること。空欄は要件なし"),
    )
    requires_exam = models.BooleanField(_("知識試験の合格が必要"), default=False)
    exam = models.ForeignKey(
        "assessments.Quiz",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("知識試験"),
        help_text=_("空欄の場合は「DX推進リーダー知識試験」に指定された小テスト"),
    )
    exam_pass_percent = models.PositiveSmallIntegerField(
        _("知識試験の合格点(%)"), default=70, validators=[MaxValueValidator(100)]
    )
    requires_capstone = models.BooleanField(_("修了課題の承認が必要"), default=False)
    requires_cross_project = models.BooleanField(
        _("複数の課にまたがるプロジェクトの承認が必要"), default=False
    )
    requires_endorsement = models.BooleanField(_("所属長の推薦が必要"), default=False)
    validity_years = models.PositiveSmallIntegerField(
        _("有効期間(年)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("空欄は無期限"),
    )
    renewal_hours_per_year = models.PositiveSmallIntegerField(
        _("更新に必要な年間学習時間"), null=True, blank=True
    )
    renewal_requirement = models.TextField(_("更新の要件"), blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    base_form_class = CertificationProgramForm

    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("name")]),
        FieldPanel("municipality"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                InlinePanel("requirements", label=_("能力項目ごとの要件")),
                FieldRowPanel([FieldPanel("breadth_min_level"), FieldPanel("specialism_min_level")]),
            ],
            heading=_("能力の要件"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("prerequisite"),
                FieldRowPanel(
                    [FieldPanel("requires_exam"), FieldPanel("exam"), FieldPanel("exam_pass_percent")]
                ),
                FieldPanel("requires_capstone"),
                InlinePanel("rubric", label=_("修了課題のルーブリック")),
                FieldPanel("requires_cross_project"),
                FieldPanel("requires_endorsement"),
            ],
            heading=_("試験・課題・推薦"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("validity_years"), FieldPanel("renewal_hours_per_year")]),
                FieldPanel("renewal_requirement"),
            ],
            heading=_("有効期間と更新"),
        ),
        FieldRowPanel([FieldPanel("sort_order"), FieldPanel("is_active")]),
    ]

    class Meta:
        verbose_name = _("認定制度")
        verbose_name_plural = _("認定制度")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=level_in_range("breadth_min_level", nullable=True), name="program_breadth_range"
            ),
            models.CheckConstraint(
                condition=level_in_range("specialism_min_level", nullable=True),
                name="program_specialism_range",
            ),
            models.CheckConstraint(condition=Q(exam_pass_percent__lte=100), name="program_pass_percent"),
            models.UniqueConstraint(
                fields=["municipality", "code"],
                condition=Q(municipality__isnull=False),
                name="program_code_unique_in_owner",
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(municipality__isnull=True), name="program_code_unique_shared"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        seen = {self.pk} if self.pk else set()
        ancestor = self.prerequisite
        while ancestor is not None:
            if ancestor.pk in seen:
                raise ValidationError({"prerequisite": _("前提となる認定が循環しています。")})
            seen.add(ancestor.pk)
            ancestor = ancestor.prerequisite


class ProgramRequirement(Orderable):
    program = ParentalKey(CertificationProgram, on_delete=models.CASCADE, related_name="requirements")
    competency = models.ForeignKey(
        Competency,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=CURRENT_COMPETENCIES,
        verbose_name=_("能力項目"),
    )
    min_level = models.PositiveSmallIntegerField(_("必要なレベル"), default=3, validators=LEVEL_VALIDATORS)

    panels = [FieldRowPanel([FieldPanel("competency"), FieldPanel("min_level")])]

    class Meta(Orderable.Meta):
        verbose_name = _("能力項目の要件")
        verbose_name_plural = _("能力項目の要件")
        constraints = [
            models.UniqueConstraint(fields=["program", "competency"], name="program_requirement_once"),
            models.CheckConstraint(condition=level_in_range("min_level"), name="program_requirement_range"),
        ]

    def __str__(self) -> str:
        return f"{self.competency.code} ≥ Lv{self.min_level}"


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


class CapstoneStatus(models.TextChoices):
    """Where a capstone is; each status names who acts next (see ``services.capstone``)."""

    DRAFT = "draft", _("計画の作成中")
    PLAN_REVIEW = "plan_review", _("計画の確認待ち(所属長)")
    IN_PROGRESS = "in_progress", _("実施中")
    ENDORSEMENT = "endorsement", _("推薦待ち(所属長)")
    ASSESSMENT = "assessment", _("審査待ち(外部人材)")
    APPROVED = "approved", _("承認済み")


class CapstoneAction(models.TextChoices):
    SUBMIT_PLAN = "submit_plan", _("計画を提出")
    ACCEPT_PLAN = "accept_plan", _("計画を了承")
    RETURN_PLAN = "return_plan", _("計画を差し戻し")
    SUBMIT_REPORT = "submit_report", _("成果報告を提出")
    ENDORSE = "endorse", _("推薦")
    RETURN_REPORT = "return_report", _("成果報告を差し戻し(所属長)")
    APPROVE = "approve", _("承認")
    RETURN_ASSESSMENT = "return_assessment", _("成果報告を差し戻し(外部人材)")
    ASSIGN_ADVISOR = "assign_advisor", _("審査担当を割り当て")


class Capstone(ClusterableModel):
    """A candidate's 修了課題: a real improvement project in their own 所属, planned, reported, endorsed by
    the 所属長 and scored by an advisor on the programme's rubric. The decisions are ``CapstoneDecision``.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="capstones", verbose_name=_("受講者")
    )
    program = models.ForeignKey(
        CertificationProgram, on_delete=models.PROTECT, related_name="capstones", verbose_name=_("認定制度")
    )
    department = models.ForeignKey(
        "organisation.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="capstones",
        verbose_name=_("実施する所属"),
    )
    title = models.CharField(_("課題名"), max_length=200)
    problem = models.TextField(_("現状の課題"))
    plan = models.TextField(_("取り組みの内容と進め方"))
    target = models.TextField(_("目標と効果の測り方"))
    is_cross_department = models.BooleanField(_("複数の課にまたがる取り組み"), default=False)
    competencies = models.ManyToManyField(
        Competency, blank=True, related_name="capstones", verbose_name=_("発揮する能力項目")
    )
    report = models.TextField(_("実施内容と結果"), blank=True)
    measured_effect = models.TextField(_("測定した効果"), blank=True)
    hours_saved_per_year = models.DecimalField(
        _("削減できた業務時間(時間/年)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    inclusion_check = models.TextField(_("誰一人取り残さないための配慮"), blank=True)
    status = models.CharField(
        _("状態"), max_length=20, choices=CapstoneStatus.choices, default=CapstoneStatus.DRAFT
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="capstones_to_assess",
        verbose_name=_("審査担当(外部人材)"),
    )
    rubric_scores = models.JSONField(_("ルーブリックの評価"), default=dict, blank=True)
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    endorsed_at = models.DateTimeField(_("推薦日時"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("承認日時"), null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("修了課題")
        verbose_name_plural = _("修了課題")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program"],
                condition=~Q(status="approved"),
                name="capstone_one_open_per_program",
            )
        ]
        indexes = [models.Index(fields=["status", "advisor"])]
        permissions = [("assess_capstone", _("修了課題を審査できる"))]

    def __str__(self) -> str:
        return self.title


class CapstoneAttachment(models.Model):
    """A file attached to the outcome report; private storage, streamed only by a permission-checked view."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    capstone = models.ForeignKey(Capstone, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=ProofStorage(), upload_to=proof_upload_to, max_length=200)
    name = models.CharField(_("ファイル名"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("修了課題の添付ファイル")
        verbose_name_plural = _("修了課題の添付ファイル")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class CapstoneDecision(models.Model):
    """The audit log of a capstone: every step, who took it, when, from which status to which, and why.

    Rows are only ever added (``services.capstone``); the admin shows them read-only.
    """

    capstone = models.ForeignKey(Capstone, on_delete=models.CASCADE, related_name="decisions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("実施者")
    )
    action = models.CharField(_("操作"), max_length=20, choices=CapstoneAction.choices)
    from_status = models.CharField(max_length=20, choices=CapstoneStatus.choices)
    to_status = models.CharField(max_length=20, choices=CapstoneStatus.choices)
    comment = models.TextField(_("コメント"), blank=True)
    rubric_scores = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("日時"), default=timezone.now)

    class Meta:
        verbose_name = _("修了課題の判断記録")
        verbose_name_plural = _("修了課題の判断記録")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.capstone} {self.action}"


class RubricCriterion(Orderable):
    """One row of a programme's capstone rubric, scored 1–4 by the advisor (HR edits them in the admin)."""

    program = ParentalKey(CertificationProgram, on_delete=models.CASCADE, related_name="rubric")
    name = models.CharField(_("観点"), max_length=100)
    description = models.TextField(_("評価の目安"), blank=True)
    min_score = models.PositiveSmallIntegerField(
        _("承認に必要な点"), default=2, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )

    panels = [FieldPanel("name"), FieldPanel("description"), FieldPanel("min_score")]

    class Meta(Orderable.Meta):
        verbose_name = _("ルーブリックの観点")
        verbose_name_plural = _("ルーブリックの観点")

    def __str__(self) -> str:
        return self.name


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
    re-signed on request when they differ.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    issuer_key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="status_lists")
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

    def status_on(self, day) -> str:
        """``revoked``, ``expired`` or ``valid`` on ``day`` (valid through its expiry date)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_on is not None and day > self.expires_on:
            return "expired"
        return "valid"
