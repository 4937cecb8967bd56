"""Municipalities, their department tree, staff profiles and effective-dated assignments."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from lms_site.jobs import Job, JobStatus

from .admin_forms import AdvisorContractForm
from .tenancy import TenantManager, platform_wide


class MunicipalityKind(models.TextChoices):
    CITY = "city", _("市")
    WARD = "ward", _("特別区")
    TOWN = "town", _("町")
    VILLAGE = "village", _("村")
    PREFECTURE = "prefecture", _("都道府県")


class MunicipalityQuerySet(models.QuerySet):
    def in_prefecture(self, prefecture: "Municipality") -> "MunicipalityQuerySet":
        """The cities, wards, towns and villages of a prefecture (not the prefecture itself)."""
        return self.filter(prefecture=prefecture.prefecture).exclude(kind=MunicipalityKind.PREFECTURE)


class Municipality(models.Model):
    """A city, town, village or prefecture using the platform. Every organisational row belongs to one.

    A prefecture (``kind`` 都道府県) is a local government too: its staff sign in with a staff record of the
    prefecture, and the prefecture role sees the aggregates of the municipalities whose ``prefecture`` is
    its own (issue 13)."""

    code = models.CharField(
        _("団体コード"), max_length=6, unique=True, help_text=_("全国地方公共団体コード(6桁)")
    )
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英語名称"), max_length=100, blank=True)
    prefecture = models.CharField(_("都道府県"), max_length=10)
    kind = models.CharField(
        _("区分"),
        max_length=10,
        choices=MunicipalityKind.choices,
        default=MunicipalityKind.CITY,
        db_default=MunicipalityKind.CITY,  # rows written by bulk loaders and by older migrations' states
    )
    population = models.PositiveIntegerField(_("人口"), null=True, blank=True)
    domain = models.CharField(
        _("ドメイン"), max_length=253, blank=True, help_text=_("認定証の発行者IDなどに使う団体のドメイン")
    )
    site = models.OneToOneField(
        "wagtailcore.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="municipality",
        verbose_name=_("サイト"),
        help_text=_("団体のホスト名で表示するサイト(団体のホームページと、その下の団体独自の研修コース)"),
    )
    collection = models.OneToOneField(
        "wagtailcore.Collection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="municipality",
        verbose_name=_("画像・資料のコレクション"),
        help_text=_(
            "団体の画像と資料の置き場所。団体の職員には、これと所属する都道府県のもの、共通のものだけが見えます"
        ),
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("自治体")
        verbose_name_plural = _("自治体")
        ordering = ["code"]
        permissions = [("act_platform_wide", _("すべての自治体のデータを扱える(システム管理者)"))]

    def __str__(self) -> str:
        return self.name


class DepartmentKind(models.TextChoices):
    BU = "bu", _("部")
    KA = "ka", _("課")
    KAKARI = "kakari", _("係")


# The kind each kind's children must have: 部 → 課 → 係.
CHILD_KIND = {DepartmentKind.BU: DepartmentKind.KA, DepartmentKind.KA: DepartmentKind.KAKARI}


class DepartmentQuerySet(MP_NodeQuerySet):
    def subtree_of(self, department: "Department") -> "DepartmentQuerySet":
        """The department and everything below it (a single indexed ``path`` prefix query)."""
        return self.filter(path__startswith=department.path, depth__gte=department.depth)


class DepartmentManager(MP_NodeManager.from_queryset(DepartmentQuerySet)):
    def get_queryset(self) -> DepartmentQuerySet:
        return DepartmentQuerySet(self.model, using=self._db).order_by("path")


class Department(MP_Node):
    """An organisational unit (部, 課 or 係) in a materialised-path tree."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="departments", verbose_name=_("自治体")
    )
    code = models.CharField(_("所属コード"), max_length=20, help_text=_("人事システムの所属コード"))
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英語名称"), max_length=150, blank=True)
    kind = models.CharField(_("区分"), max_length=10, choices=DepartmentKind.choices)
    is_active = models.BooleanField(_("有効"), default=True, help_text=_("廃止された所属は無効にします"))

    node_order_by = ["code"]
    objects = TenantManager("municipality", DepartmentManager)

    class Meta:
        verbose_name = _("所属")
        verbose_name_plural = _("所属")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="department_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.code})"

    @classmethod
    def add_root(cls, **kwargs):
        """Root paths are allocated across every municipality's trees (``path`` is unique), so the next
        free one is looked up platform-wide; the new root still belongs to the given municipality."""
        with platform_wide():
            return super().add_root(**kwargs)

    def move(self, target, pos=None):
        with platform_wide():  # a move to the root level allocates a root path, as above
            return super().move(target, pos)

    def clean(self) -> None:
        parent = self.get_parent() if self.pk and not self.is_root() else None
        if parent is not None and CHILD_KIND.get(parent.kind) != self.kind:
            raise ValidationError({"kind": _("この所属の上位所属の区分と合いません。")})


class JobGrade(models.TextChoices):
    """役職, from the most senior."""

    BUCHO = "bucho", _("部長")
    JICHO = "jicho", _("次長")
    KACHO = "kacho", _("課長")
    KACHO_HOSA = "kacho_hosa", _("課長補佐")
    KAKARICHO = "kakaricho", _("係長")
    SHUSA = "shusa", _("主査")
    SHUNIN = "shunin", _("主任")
    SHUJI = "shuji", _("主事")
    GISHI = "gishi", _("技師")
    SHUNIN_HOKENSHI = "shunin_hokenshi", _("主任保健師")
    HOKENSHI = "hokenshi", _("保健師")


class JobCategory(models.TextChoices):
    """職種."""

    GYOSEI = "gyosei", _("一般行政")
    GIJUTSU = "gijutsu", _("技術")
    HOKEN_FUKUSHI = "hoken_fukushi", _("保健福祉")
    KYOIKU = "kyoiku", _("教育")
    GINO_ROMU = "gino_romu", _("技能労務")


class StaffProfile(models.Model):
    """An employee of a municipality, as the HR system knows them. Personal data: see ``roles``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("ユーザー"),
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="staff", verbose_name=_("自治体")
    )
    employee_number = models.CharField(_("職員番号"), max_length=20)
    family_name = models.CharField(_("姓"), max_length=50)
    given_name = models.CharField(_("名"), max_length=50)
    family_name_kana = models.CharField(_("姓(カナ)"), max_length=50, blank=True)
    given_name_kana = models.CharField(_("名(カナ)"), max_length=50, blank=True)
    job_grade = models.CharField(_("役職"), max_length=20, choices=JobGrade.choices)
    job_category = models.CharField(_("職種"), max_length=20, choices=JobCategory.choices)
    hire_year = models.PositiveSmallIntegerField(_("採用年度"))
    is_active = models.BooleanField(_("在職"), default=True)

    objects = TenantManager("municipality")

    class Meta:
        verbose_name = _("職員")
        verbose_name_plural = _("職員")
        ordering = ["municipality", "employee_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "employee_number"], name="staff_employee_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(hire_year__gte=1940) & Q(hire_year__lte=2100), name="staff_hire_year_range"
            ),
        ]
        permissions = [
            ("view_personal_data", _("職員の個人データを閲覧できる")),
            ("view_department_reports", _("自所属の集計を閲覧できる")),
            ("import_staff", _("人事データを取り込める")),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}({self.employee_number})"

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}"


class AssignmentQuerySet(models.QuerySet):
    def on(self, day: datetime.date) -> "AssignmentQuerySet":
        """Assignments in force on ``day`` (``ends_on`` is inclusive; open-ended when null)."""
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


class Assignment(models.Model):
    """Which department a person belonged to, from ``starts_on`` to ``ends_on`` (inclusive).

    Rotation (人事異動) ends the current assignment the day before the effective date and starts a new one,
    so history is kept and "where was X on D" and "who was in Y on D" are single queries.
    """

    staff = models.ForeignKey(
        StaffProfile, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("職員")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("所属")
    )
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"), null=True, blank=True, help_text=_("空欄は現在も在籍"))

    objects = TenantManager("staff__municipality", models.Manager.from_queryset(AssignmentQuerySet))

    class Meta:
        verbose_name = _("所属履歴")
        verbose_name_plural = _("所属履歴")
        ordering = ["staff", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="assignment_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["staff"], condition=Q(ends_on__isnull=True), name="assignment_one_open_per_staff"
            ),
            models.UniqueConstraint(fields=["staff", "starts_on"], name="assignment_unique_start"),
        ]
        indexes = [models.Index(fields=["department", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.staff} → {self.department} ({self.starts_on}〜{self.ends_on or ''})"

    def clean(self) -> None:
        if self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("終了日は開始日以降にしてください。")})
        overlapping = (
            Assignment.objects.filter(staff_id=self.staff_id)
            .exclude(pk=self.pk)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=self.starts_on))
        )
        if self.ends_on:
            overlapping = overlapping.filter(starts_on__lte=self.ends_on)
        if overlapping.exists():
            raise ValidationError(_("同じ職員の所属期間が重なっています。"))


ImportStatus = JobStatus


class StaffImport(Job):
    """One HR CSV import (a ``Job``): the file as uploaded, its progress in rows and its outcome (kept as an
    audit record)."""

    DONE_FIELD = "processed_rows"
    TOTAL_FIELD = "total_rows"

    file_name = models.CharField(_("ファイル名"), max_length=255)
    content = models.BinaryField(_("ファイル内容"))
    effective_date = models.DateField(_("発令日"))
    retire_missing = models.BooleanField(_("ファイルにない職員を退職扱い"), default=False)
    total_rows = models.PositiveIntegerField(_("行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("処理済み行数"), default=0)
    summary = models.JSONField(_("結果"), default=dict, blank=True)
    errors = models.JSONField(_("エラー"), default=list, blank=True)

    objects = TenantManager("municipality")

    class Meta(Job.Meta):
        verbose_name = _("職員データ取込")
        verbose_name_plural = _("職員データ取込")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    def failure_fields(self, message: str) -> dict[str, object]:
        return {"errors": [message]}


class PersonalDataAccess(models.Model):
    """One view or export of personal data: only ever added (``services.personal_data_access_log``).

    ``municipality`` is the one whose data was seen (the subject's, else the viewer's): its 人事課 reads
    these rows at /hr/audit/. ``subject`` is set when the view is about one person.
    """

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("閲覧者")
    )
    subject = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("閲覧された職員"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("自治体"),
    )
    at = models.DateTimeField(_("日時"), default=timezone.now)
    view = models.CharField(_("画面・出力"), max_length=50)
    parameters = models.JSONField(_("条件"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("件数"), default=0)

    objects = TenantManager("municipality")

    class Meta:
        verbose_name = _("個人データの閲覧記録")
        verbose_name_plural = _("個人データの閲覧記録")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["municipality", "at"]),
            models.Index(fields=["viewer", "at"]),
            models.Index(fields=["subject", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.viewer} {self.view} {self.at:%Y-%m-%d %H:%M}"


class AdvisorContractQuerySet(models.QuerySet):
    def in_force(self, day: datetime.date) -> "AdvisorContractQuerySet":
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


class AdvisorContract(models.Model):
    """An external expert (外部人材・CIO補佐官) contracted by a municipality, or by a prefecture for all
    of its municipalities. An advisor acts (reviews capstones, sees content of) only where a contract is in
    force; one with a staff record acts in its own municipality as well (issue 13)."""

    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="advisor_contracts",
        verbose_name=_("外部人材"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="advisor_contracts",
        verbose_name=_("契約した団体"),
        help_text=_("都道府県との契約は、その都道府県内のすべての市区町村に及びます"),
    )
    starts_on = models.DateField(_("契約開始日"))
    ends_on = models.DateField(_("契約終了日"), null=True, blank=True, help_text=_("空欄は期限なし"))
    note = models.CharField(_("メモ"), max_length=200, blank=True)

    objects = TenantManager("municipality", models.Manager.from_queryset(AdvisorContractQuerySet))
    base_form_class = AdvisorContractForm

    class Meta:
        verbose_name = _("外部人材の契約")
        verbose_name_plural = _("外部人材の契約")
        ordering = ["municipality", "advisor", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="advisor_contract_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.advisor} – {self.municipality}"


def municipalities_covered(contracts) -> set[int]:
    """The municipality ids a set of contracts covers: each contracting municipality, and for a
    prefecture's contract every municipality of that prefecture."""
    ids: set[int] = set()
    prefectures = []
    for municipality_id, kind, prefecture in contracts.values_list(
        "municipality_id", "municipality__kind", "municipality__prefecture"
    ):
        ids.add(municipality_id)
        if kind == MunicipalityKind.PREFECTURE:
            prefectures.append(prefecture)
    if prefectures:
        ids |= set(Municipality.objects.filter(prefecture__in=prefectures).values_list("pk", flat=True))
    return ids
