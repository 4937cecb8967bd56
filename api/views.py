"""/api/v1/: read the municipality's organisation, staff, framework and completions (ADR 0017).

Each request runs in the tenancy scope of its caller (``access.caller_of``): a machine client's
municipality, or the signed-in person's, as on the pages. Personal data is logged in the access log
(ADR 0014) like any page that shows it.
"""

import datetime
import re
from contextlib import ExitStack

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.renderers import JSONRenderer

from assessments.certification.models import Certificate, CompetencyLevel
from assessments.models import Attempt, AttemptItem, Evidence
from courses.competencies.models import Competency
from courses.models import Enrollment
from lms_site.organisation import services as organisation_services
from lms_site.organisation.models import Assignment, Department, StaffProfile
from lms_site.organisation.tenancy import municipality_scope, platform_wide

from . import access, serializers
from .pagination import StablePagination
from .renderers import CSVRenderer

ERRORS = dict.fromkeys((400, 401, 403, 404), serializers.ErrorSerializer)


def documented(serializer, *, parameters=()):
    return extend_schema_view(
        list=extend_schema(responses={200: serializer(many=True), **ERRORS}, parameters=list(parameters)),
        retrieve=extend_schema(responses={200: serializer, **ERRORS}),
    )


class ScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
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

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        self._audit(request, rows=len(response.data.get("results", [])))
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        self._audit(request, rows=1)
        return response

    def _audit(self, request, *, rows: int) -> None:
        if self.audit_as:
            organisation_services.personal_data_access_log(
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
        return StaffProfile.objects.select_related("user")

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


@documented(serializers.LevelSerializer)
class LevelViewSet(ScopedViewSet):
    """Each staff member's current level per competency (from their verified evidence)."""

    serializer_class = serializers.LevelSerializer
    permission_classes = [access.ScopedAccess, access.PersonalData]
    audit_as = "api_levels"

    def get_queryset(self):
        staff = StaffProfile.objects.values("user_id")
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
        staff = StaffProfile.objects.values("user_id")
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
        staff = StaffProfile.objects.values("user_id")
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
        staff = StaffProfile.objects.values("user_id")
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
        staff = StaffProfile.objects.values("user_id")
        items = AttemptItem.objects.select_related("version__competency").order_by("position")
        queryset = (
            Attempt.objects.filter(user_id__in=staff)
            .select_related("user__staff_profile", "quiz")
            .prefetch_related(Prefetch("items", queryset=items))
        )
        return changed_since(self.request, queryset, "started_at", "finished_at")


RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _datetime(raw: str) -> datetime.datetime:
    """An RFC 3339 date-time, with its offset (the schema's ``date-time``)."""
    try:
        if not RFC3339.fullmatch(raw):
            raise ValueError(raw)
        value = datetime.datetime.fromisoformat(raw.upper().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            {"updated_since": [_("日時は ISO 8601 で指定してください(例: 2026-04-01T00:00:00+09:00)。")]}
        ) from None
    return value.astimezone(datetime.UTC)  # the database takes offsets of ±15:59 at most; UTC always


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
