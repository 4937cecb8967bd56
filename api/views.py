"""/api/v1/: read the municipality's organisation, staff, framework and completions (ADR 0017).

Each request runs in the tenancy scope of its caller (``access.caller_of``): a machine client's
municipality, or the signed-in person's, as on the pages. Personal data is logged in the access log
(ADR 0014) like any page that shows it.
"""

import datetime
import re
from contextlib import ExitStack

from django.core.exceptions import ValidationError as ModelValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from analytics import access as analytics_access
from analytics import frames, reports
from analytics.forms import DashboardFilterForm
from assessments.api import Attempt, AttemptItem, Evidence, Quiz
from assessments.certification.api import Certificate, CompetencyLevel
from courses.api import Enrollment, course_offered_by_slug
from courses.competencies.api import Competency, CompetencyFramework, framework_export_case
from lms_site.organisation.api import (
    Assignment,
    Department,
    Municipality,
    StaffProfile,
    municipality_scope,
    personal_data_access_log,
    platform_wide,
)
from training import services as training_services
from training.models import TrainingDue, TrainingRule
from training.selectors import due_progress

from . import access, serializers
from .pagination import StablePagination
from .renderers import CSVRenderer

ERRORS = dict.fromkeys((400, 401, 403, 404), serializers.ErrorSerializer)


def documented(serializer, *, parameters=()):
    return extend_schema_view(
        list=extend_schema(responses={200: serializer(many=True), **ERRORS}, parameters=list(parameters)),
        retrieve=extend_schema(responses={200: serializer, **ERRORS}),
    )


class ScopedGenericViewSet(viewsets.GenericViewSet):
    """Runs the handler in the caller's tenancy scope, after authentication and before permissions."""

    pagination_class = StablePagination
    permission_classes = [access.ScopedAccess]
    lookup_value_regex = "[0-9]+"
    audit_as = ""  # set on views of personal data: each page served is logged
    logged_parameters = ("cursor", "page_size", "updated_since")

    http_method_names = ["get", "head", "options"]

    def initial(self, request, *args, **kwargs):
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise MethodNotAllowed(request.method)  # before authentication: 405 whoever asks
        formats = [renderer.format for renderer in self.get_renderers()]
        if "format" in request.query_params and request.query_params["format"] not in formats:
            message = _("format は %(formats)s のいずれかにしてください。") % {"formats": ", ".join(formats)}
            raise ValidationError({"format": [message]})
        self._scope = ExitStack()
        self.perform_authentication(request)
        self.caller = access.caller_of(request)
        ids = self.caller.municipality_ids
        self._scope.enter_context(platform_wide() if ids is None else municipality_scope(ids))
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        try:
            return super().finalize_response(request, response, *args, **kwargs)
        finally:
            if getattr(self, "_scope", None) is not None:
                self._scope.close()

    def staff(self):
        """The staff whose personal data the caller may read: the municipality's, or a 所属長's subtree
        (people assigned there today)."""
        staff = StaffProfile.objects.all()
        path = self.caller.subtree_path
        if path is not None:
            here = Assignment.objects.on(timezone.localdate()).filter(department__path__startswith=path)
            staff = staff.filter(pk__in=here.values("staff_id"))
        return staff

    def _audit(self, request, *, rows: int) -> None:
        if self.audit_as:
            personal_data_access_log(
                viewer=self.caller.user,
                view=self.audit_as,
                parameters={  # what was asked for; other (unknown, ignored) parameters are not kept
                    name: value.replace("\x00", "")[:100]
                    for name, value in request.query_params.items()
                    if name in self.logged_parameters
                },
                rows=rows,
                municipality_id=(self.caller.municipality_ids or [None])[0],
            )


class ScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedGenericViewSet):
    """A resource's list (cursor pages) and its rows by id, each page of personal data logged."""

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        self._audit(request, rows=len(response.data.get("results", [])))
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        self._audit(request, rows=1)
        return response


@documented(serializers.DepartmentSerializer)
class DepartmentViewSet(ScopedViewSet):
    """The municipality's departments (部・課・係), each with its parent's code: the tree in one list."""

    serializer_class = serializers.DepartmentSerializer
    permission_classes = [access.ScopedAccess, access.DepartmentReader]

    def get_queryset(self):
        return Department.objects.all()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["code_of_path"] = dict(Department.objects.values_list("path", "code"))
        return context


@documented(serializers.StaffSerializer)
class StaffViewSet(ScopedViewSet):
    """Staff records (personal data), each with the department they belong to today."""

    serializer_class = serializers.StaffSerializer
    permission_classes = [access.ScopedAccess, access.PersonalData]
    audit_as = "api_staff"

    def get_queryset(self):
        return self.staff().select_related("user")

    def get_serializer(self, *args, **kwargs):
        if args:
            staff = args[0] if isinstance(args[0], list) else [args[0]]
            self._department_of = dict(
                Assignment.objects.on(timezone.localdate())
                .filter(staff__in=[s.pk for s in staff])
                .values_list("staff_id", "department__code")
            )
        return super().get_serializer(*args, **kwargs)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["department_of"] = getattr(self, "_department_of", {})
        return context


@documented(serializers.CompetencySerializer)
class CompetencyViewSet(ScopedViewSet):
    """The current competency framework (its CASE export is at /admin/, for now)."""

    serializer_class = serializers.CompetencySerializer

    def get_queryset(self):
        return Competency.objects.filter(framework__is_current=True).select_related("area")

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
        description="The current framework as a 1EdTech CASE 1.0 CFPackage (CFDocument, CFItems, "
        "CFAssociations, CFDefinitions), as the admin's export gives it.",
    )
    @action(detail=False, url_path="case", pagination_class=None)
    def case(self, request, *args, **kwargs):
        framework = CompetencyFramework.objects.filter(is_current=True).first()
        if framework is None:
            raise NotFound(_("現在の能力フレームワークがありません。"))
        return Response(framework_export_case(framework=framework))


@documented(serializers.LevelSerializer)
class LevelViewSet(ScopedViewSet):
    """Each staff member's current level per competency (from their verified evidence)."""

    serializer_class = serializers.LevelSerializer
    permission_classes = [access.ScopedAccess, access.PersonalData]
    audit_as = "api_levels"

    def get_queryset(self):
        staff = self.staff().values("user_id")
        return CompetencyLevel.objects.filter(user_id__in=staff).select_related(
            "user__staff_profile", "competency"
        )


@documented(serializers.CertificateSerializer)
class CertificateViewSet(ScopedViewSet):
    """Certificates held by the municipality's staff, with today's status and the public page that
    verifies them."""

    serializer_class = serializers.CertificateSerializer
    permission_classes = [access.ScopedAccess, access.PersonalData]
    audit_as = "api_certificates"

    def get_queryset(self):
        staff = self.staff().values("user_id")
        return Certificate.objects.filter(user_id__in=staff).select_related("user__staff_profile", "program")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}


def updated_since(what: str) -> OpenApiParameter:
    return OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description=f"Only {what} at or after this moment (RFC 3339, with its offset).",
    )


UPDATED_SINCE = updated_since("enrolments with learning activity or completion")


def changed_since(request, queryset, *fields: str):
    """``queryset`` narrowed to rows with any of ``fields`` at or after ``?updated_since=``, if given."""
    raw = request.query_params.get("updated_since")
    if raw is None:
        return queryset
    since = _datetime(raw)
    narrowed = queryset.none()
    for field in fields:
        narrowed = narrowed | queryset.filter(**{f"{field}__gte": since})
    return narrowed


@documented(serializers.CompletionSerializer, parameters=[UPDATED_SINCE])
class CompletionViewSet(ScopedViewSet):
    """Course enrolments of the municipality's staff, completed or not; ``?updated_since=`` for
    incremental pulls (keep the time of your last pull, ask for what changed since). JSON, or CSV with
    ``?format=csv`` (the next page's address in the ``Link`` header)."""

    serializer_class = serializers.CompletionSerializer
    permission_classes = [access.ScopedAccess, access.PersonalData]
    renderer_classes = [JSONRenderer, CSVRenderer]
    audit_as = "api_completions"

    def get_queryset(self):
        staff = self.staff().values("user_id")
        queryset = Enrollment.objects.filter(user_id__in=staff)
        queryset = queryset.select_related("user__staff_profile", "course")
        return changed_since(self.request, queryset, "last_activity_at", "completed_at")


@documented(serializers.EvidenceSerializer, parameters=[updated_since("evidence recorded or reviewed")])
class EvidenceViewSet(ScopedViewSet):
    """The evidence behind the staff's levels, with its review status; ``?updated_since=`` for
    incremental pulls."""

    serializer_class = serializers.EvidenceSerializer
    permission_classes = [access.ScopedAccess, access.PersonalData]
    audit_as = "api_evidence"

    def get_queryset(self):
        staff = self.staff().values("user_id")
        queryset = Evidence.objects.filter(user_id__in=staff).select_related(
            "user__staff_profile", "competency"
        )
        return changed_since(self.request, queryset, "recorded_at", "reviewed_at")


@documented(serializers.AttemptSerializer, parameters=[updated_since("attempts started or finished")])
class AttemptViewSet(ScopedViewSet):
    """Quiz attempts of the municipality's staff with their scores and results per competency once
    submitted (never the questions, answers or keys); ``?updated_since=`` for incremental pulls."""

    serializer_class = serializers.AttemptSerializer
    permission_classes = [access.ScopedAccess, access.PersonalData]
    audit_as = "api_attempts"

    def get_queryset(self):
        staff = self.staff().values("user_id")
        items = AttemptItem.objects.select_related("version__competency").order_by("position")
        queryset = (
            Attempt.objects.filter(user_id__in=staff)
            .select_related("user__staff_profile", "quiz")
            .prefetch_related(Prefetch("items", queryset=items))
        )
        return changed_since(self.request, queryset, "started_at", "finished_at")


COVERAGE_PARAMETERS = [
    OpenApiParameter(
        "on",
        # a date of the years 1900–2999 (analytics.forms.FIRST_DAY … LAST_DAY)
        {"type": "string", "format": "date", "pattern": r"^(19\d\d|2\d\d\d)-\d\d-\d\d$"},
        description="the day to count, 1900-01-01 … 2999-12-31 (default: today)",
    ),
    OpenApiParameter(
        "level",
        {"type": "integer", "minimum": 1, "maximum": 5},
        description="the level counted (default: 2)",
    ),
    OpenApiParameter("dept", OpenApiTypes.INT, description="a row's ``dept``: its sub-units"),
    OpenApiParameter("publish", OpenApiTypes.BOOL, description="true: suppressed as for publication"),
]


class CoverageViewSet(ScopedGenericViewSet):
    """Per department, the share of staff at a level or above in each competency: the /hr/ dashboard's
    table, with the same rules. 人事課 and machine clients get exact numbers for the municipality, a 所属長
    for their own subtree, DX推進課 suppressed numbers (cells under 5 hidden, with the cells that would
    reveal them); ``?publish=true`` suppresses for anyone."""

    serializer_class = serializers.CoverageSerializer
    pagination_class = None
    logged_parameters = ("on", "level", "dept", "publish")

    @extend_schema(responses={200: serializers.CoverageSerializer, **ERRORS}, parameters=COVERAGE_PARAMETERS)
    def summary(self, request, *args, **kwargs):
        viewer = self._viewer()
        form = DashboardFilterForm(request.query_params)
        unknown = {"publish"} if request.query_params.get("publish") not in (None, "true", "false") else set()
        empty = [name for name in self.logged_parameters if request.query_params.get(name) == ""]
        if not form.is_valid() or unknown or empty:
            errors = {field: [str(e) for e in problems] for field, problems in form.errors.items()}
            if unknown:
                errors["publish"] = [_("publish は true か false にしてください。")]
            for name in empty:
                errors[name] = [
                    _("%(name)s に値がありません(指定しないか、値を入れてください)。") % {"name": name}
                ]
            raise ValidationError(errors)
        dashboard = reports.dashboard_for(viewer, form.values())
        suppressed = dashboard.suppressed
        table = dashboard.tables["coverage"]
        codes = dashboard.coverage.codes
        rows = [
            {
                "department": row[0],
                "dept": int(link) if link else None,
                "headcount": row[1] if isinstance(row[1], int) else None,
                "shares": {
                    code: (cell if isinstance(cell, float) else None)
                    for code, cell in zip(codes, row[2:], strict=True)
                },
            }
            for link, row in table.rows_with_links()
        ]
        if not suppressed:
            self.audit_as = "api_coverage"
            self._audit(request, rows=0)
        data = {
            "on": dashboard.coverage.taken_on or dashboard.coverage.on,
            "level": dashboard.coverage.level,
            "suppressed": suppressed,
            "competencies": codes,
            "rows": rows,
            "note": table.note,
        }
        return Response(serializers.CoverageSerializer(data).data)

    def _viewer(self) -> analytics_access.Viewer:
        caller = self.caller
        if caller.client is not None:  # the municipality's own system: the whole municipality, exact
            return analytics_access.Viewer(
                municipality_id=caller.client.municipality_id,
                top=frames.ALL,
                top_path="",
                personal_data=True,
                can_edit_targets=False,
                can_run_snapshot=False,
            )
        viewer = analytics_access.viewer_for(caller.user)
        if viewer is None:
            raise PermissionDenied
        return viewer


RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _datetime(raw: str) -> datetime.datetime:
    """An RFC 3339 date-time, with its offset (the schema's ``date-time``)."""
    try:
        if not RFC3339.fullmatch(raw):
            raise ValueError(raw)
        value = datetime.datetime.fromisoformat(raw.upper().replace("Z", "+00:00"))
        # the database takes offsets of ±15:59 at most: UTC always (year 1 east of UTC has no UTC day)
        return value.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        raise ValidationError(
            {"updated_since": [_("日時は ISO 8601 で指定してください(例: 2026-04-01T00:00:00+09:00)。")]}
        ) from None


def exception_handler(exc, context):
    """DRF's handler, with one body for every error: ``detail`` in words, and ``errors`` per field when
    the input was invalid (as ``serializers.ErrorSerializer`` documents)."""
    from rest_framework.views import exception_handler as drf_handler

    response = drf_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        errors = response.data
        messages = [
            f"{field}: {' '.join(map(str, problems if isinstance(problems, list) else [problems]))}"
            for field, problems in errors.items()
        ]
        response.data = {"detail": " / ".join(messages), "errors": errors}
    elif response is not None and isinstance(response.data, list):
        response.data = {"detail": " / ".join(map(str, response.data))}
    return response


# --- training assignments (受講指示, issue 15): list, issue, and each person's status ----------------------


class TrainingAccess(access.PersonalData):
    """Machine clients of the municipality, 人事課 and 所属長 (their subtree), as on /hr/training/; issuing
    also needs a token's ``write`` scope, or a person's right to assign."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        caller = view.caller
        if caller.client is not None:
            return True
        needed = ["training.view_training_report"]
        if request.method == "POST":
            needed.append("training.add_trainingrule")
        return caller.user.has_perms(needed)


@extend_schema_view(
    list=extend_schema(responses={200: serializers.TrainingRuleSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: serializers.TrainingRuleSerializer, **ERRORS}),
    create=extend_schema(
        request=serializers.TrainingRuleSerializer,
        responses={201: serializers.TrainingRuleIssuedSerializer, **ERRORS},
    ),
)
class TrainingRuleViewSet(mixins.CreateModelMixin, ScopedViewSet):
    """Training assignments (受講指示): who must do which course or quiz by when. A 所属長 sees and issues
    those of the department they head. Issuing assigns everyone the rule matches today (``assigned``);
    every problem of the request is reported at once and nothing is written."""

    serializer_class = serializers.TrainingRuleSerializer
    permission_classes = [access.ScopedAccess, TrainingAccess]
    http_method_names = ["get", "head", "options", "post"]

    def get_queryset(self):
        rules = TrainingRule.objects.select_related("course", "department").prefetch_related("people")
        if self.caller.subtree_path is not None:
            rules = rules.filter(department__path__startswith=self.caller.subtree_path)
        return rules

    def create(self, request, *args, **kwargs):
        if self.caller.municipality_ids is None or len(self.caller.municipality_ids) != 1:
            raise PermissionDenied(_("受講指示は一つの自治体の職員として出してください。"))
        incoming = serializers.TrainingRuleSerializer(data=request.data)
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": [_("JSON オブジェクトを送ってください。")]})
        writable = {name for name, field in incoming.fields.items() if not field.read_only}
        unknown = sorted(set(request.data) - writable)
        if unknown:  # a misspelt condition must not silently widen an assignment to everyone
            raise ValidationError({name: [_("この項目はありません。")] for name in unknown})
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        errors: dict[str, list[str]] = {}
        course = quiz = department = None
        if data.get("course"):
            course = course_offered_by_slug(slug=data["course"], municipality=self.caller.municipality_ids[0])
            if course is None:  # another municipality's own course is answered as an unknown one
                errors["course"] = [_("公開中のコース「%(slug)s」はありません。") % {"slug": data["course"]}]
        if data.get("quiz") is not None:
            quiz = Quiz.objects.filter(pk=data["quiz"]).first()
            if quiz is None:
                errors["quiz"] = [_("小テスト %(id)s はありません。") % {"id": data["quiz"]}]
        if data.get("department"):
            department = Department.objects.filter(code=data["department"]).first()
            if department is None:
                errors["department"] = [
                    _("所属コード %(code)s はありません。") % {"code": data["department"]}
                ]
        numbers = data.get("employee_numbers", [])
        people = list(StaffProfile.objects.filter(employee_number__in=numbers))
        unknown = sorted(set(numbers) - {p.employee_number for p in people})
        if unknown:
            errors["employee_numbers"] = [
                _("職員番号 %(number)s の職員はいません。") % {"number": n} for n in unknown
            ]
        if errors:
            raise ValidationError(errors)
        subtree = None
        if self.caller.subtree_path is not None:
            subtree = Department.objects.get(path=self.caller.subtree_path)
        spec = training_services.RuleSpec(
            title=data["title"],
            course=course,
            quiz=quiz,
            department=department,
            job_grades=data.get("job_grades", []),
            job_categories=data.get("job_categories", []),
            hire_year_from=data.get("hire_year_from"),
            hire_year_to=data.get("hire_year_to"),
            people=people,
            due_on=data.get("due_on"),
            due_within_days=data.get("due_within_days"),
            every_year=data["every_year"],
        )
        try:
            rule, assigned = training_services.rule_create(
                spec=spec,
                municipality=Municipality.objects.get(pk=self.caller.municipality_ids[0]),
                created_by=self.caller.user,
                subtree=subtree,
            )
        except ModelValidationError as exc:
            raise ValidationError({"non_field_errors": exc.messages}) from None
        rule.assigned = assigned
        return Response(serializers.TrainingRuleIssuedSerializer(rule).data, status=201)


DUE_FILTERS = {"rule": 2**63 - 1, "cycle": 32767}  # the columns' ranges: bigint, smallint


@extend_schema_view(
    list=extend_schema(
        responses={200: serializers.TrainingDueSerializer(many=True), **ERRORS},
        parameters=[
            OpenApiParameter(
                "rule",
                {"type": "integer", "minimum": 1, "maximum": DUE_FILTERS["rule"]},
                description="Only this assignment's.",
            ),
            OpenApiParameter(
                "cycle",
                {"type": "integer", "minimum": 1, "maximum": DUE_FILTERS["cycle"]},
                description="Only this cycle (the fiscal year).",
            ),
        ],
    ),
)
class TrainingDueViewSet(mixins.ListModelMixin, ScopedGenericViewSet):
    """Each person's assignments, per cycle, with the status read from their learning records today
    (completed, in progress, not started, overdue, exempt)."""

    serializer_class = serializers.TrainingDueSerializer
    permission_classes = [access.ScopedAccess, TrainingAccess]
    audit_as = "api_training"
    logged_parameters = ("cursor", "page_size", "rule", "cycle")

    def get_queryset(self):
        dues = TrainingDue.objects.filter(staff__in=self.staff()).select_related("rule", "staff")
        if self.caller.subtree_path is not None:
            dues = dues.filter(rule__department__path__startswith=self.caller.subtree_path)
        errors = {}
        for name, largest in DUE_FILTERS.items():
            raw = self.request.query_params.get(name)
            if raw is None:
                continue
            if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= largest):
                errors[name] = [
                    _("%(name)s は1〜%(largest)dの整数で指定してください。")
                    % {"name": name, "largest": largest}
                ]
            else:
                dues = dues.filter(**{name: int(raw)})
        if errors:
            raise ValidationError(errors)
        return dues

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        progress = due_progress(page, today=timezone.localdate())
        for due in page:
            due.progress = progress[due.pk]
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        self._audit(request, rows=len(page))
        return response
