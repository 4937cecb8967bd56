from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.api import Attempt, AttemptStatus, Evidence
from assessments.certification.api import Certificate, CompetencyLevel
from courses.api import Enrollment
from courses.competencies.api import Competency
from lms_site.organisation.api import Department, StaffProfile


class ErrorSerializer(serializers.Serializer):
    """Every error: ``detail`` says what is wrong; a field's errors are listed under its name instead."""

    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="the invalid parameters or fields, each with its problems",
    )


class DepartmentSerializer(serializers.ModelSerializer):
    parent_code = serializers.SerializerMethodField()

    class Meta:
        model = Department
        fields = ["id", "code", "name", "name_en", "kind", "depth", "parent_code", "is_active"]

    def get_parent_code(self, department) -> str | None:
        if department.depth <= 1:
            return None
        return self.context["code_of_path"].get(department.path[: -Department.steplen])


class StaffSerializer(serializers.ModelSerializer):
    department_code = serializers.SerializerMethodField()
    email = serializers.CharField(source="user.email", read_only=True, help_text="blank when HR has none")

    class Meta:
        model = StaffProfile
        fields = [
            "id",
            "employee_number",
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "email",
            "job_grade",
            "job_category",
            "hire_year",
            "is_active",
            "department_code",
        ]

    def get_department_code(self, staff) -> str | None:
        return self.context["department_of"].get(staff.pk)


class CompetencySerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = Competency
        fields = ["id", "code", "name", "name_en", "area", "description"]


class CompletionSerializer(serializers.ModelSerializer):
    employee_number = serializers.CharField(source="user.staff_profile.employee_number", read_only=True)
    course = serializers.CharField(source="course.slug", read_only=True)
    course_title = serializers.CharField(source="course.title", read_only=True)

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "employee_number",
            "course",
            "course_title",
            "enrolled_at",
            "completed_at",
            "last_activity_at",
        ]


class LevelSerializer(serializers.ModelSerializer):
    employee_number = serializers.CharField(source="user.staff_profile.employee_number", read_only=True)
    competency = serializers.CharField(source="competency.code", read_only=True)

    class Meta:
        model = CompetencyLevel
        fields = ["id", "employee_number", "competency", "level", "updated_at"]


class CertificateSerializer(serializers.ModelSerializer):
    employee_number = serializers.CharField(source="user.staff_profile.employee_number", read_only=True)
    program = serializers.CharField(source="program.code", read_only=True)
    status = serializers.SerializerMethodField()
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "uuid",
            "employee_number",
            "program",
            "issued_on",
            "expires_on",
            "status",
            "verification_url",
        ]

    def get_status(self, certificate) -> str:
        """``valid``, ``expired`` or ``revoked`` today (the reason of a revocation stays HR's record)."""
        if certificate.revoked_at:
            return "revoked"
        if certificate.expires_on and certificate.expires_on < self.context["today"]:
            return "expired"
        return "valid"

    def get_verification_url(self, certificate) -> str:
        return self.context["request"].build_absolute_uri(f"/certificates/{certificate.uuid}/")


class EvidenceSerializer(serializers.ModelSerializer):
    """Why a level is believed: the source (quiz, course, qualification, OJT, advisor), its level and
    whether HR verified it. The proof files themselves stay on the site (HR's review page)."""

    employee_number = serializers.CharField(source="user.staff_profile.employee_number", read_only=True)
    competency = serializers.CharField(source="competency.code", read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "employee_number",
            "competency",
            "level",
            "source",
            "status",
            "recorded_at",
            "reviewed_at",
        ]


class AttemptResultSerializer(serializers.Serializer):
    competency = serializers.CharField(help_text="the competency the questions measure")
    questions = serializers.IntegerField()
    points = serializers.DecimalField(max_digits=8, decimal_places=3)
    max_points = serializers.DecimalField(max_digits=8, decimal_places=3)


class AttemptSerializer(serializers.ModelSerializer):
    """A quiz attempt and, once it is submitted or expired, its score and its results per competency.
    Never the questions, the answers given or the keys: an attempt in progress has no results at all."""

    employee_number = serializers.CharField(source="user.staff_profile.employee_number", read_only=True)
    quiz_title = serializers.CharField(source="quiz.title", read_only=True)
    results = serializers.SerializerMethodField()

    class Meta:
        model = Attempt
        fields = [
            "id",
            "employee_number",
            "quiz",
            "quiz_title",
            "number",
            "status",
            "started_at",
            "finished_at",
            "points",
            "max_points",
            "percent",
            "passed",
            "results",
        ]

    def to_representation(self, attempt):
        data = super().to_representation(attempt)
        if attempt.status == AttemptStatus.IN_PROGRESS:  # nothing is scored before it is submitted
            data.update(points=None, max_points=None, percent=None, passed=None)
        return data

    @extend_schema_field(AttemptResultSerializer(many=True))
    def get_results(self, attempt) -> list[dict]:
        if attempt.status == AttemptStatus.IN_PROGRESS:
            return []
        by_competency: dict[str, dict] = {}
        for item in attempt.items.all():
            row = by_competency.setdefault(
                item.version.competency.code,
                {"competency": item.version.competency.code, "questions": 0, "points": 0, "max_points": 0},
            )
            row["questions"] += 1
            row["points"] += (item.fraction or 0) * item.weight
            row["max_points"] += item.weight
        return AttemptResultSerializer(
            [by_competency[code] for code in sorted(by_competency)], many=True
        ).data


class CoverageRowSerializer(serializers.Serializer):
    department = serializers.CharField(help_text="the department (or 「(直属)」: its own staff)")
    dept = serializers.IntegerField(
        allow_null=True, help_text="pass as ?dept= to drill down into it; null when it has no sub-units"
    )
    headcount = serializers.IntegerField(allow_null=True, help_text="null: hidden (under 5 people)")
    shares = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="per competency code, the percentage of staff at the level or above; null: hidden",
    )


class CoverageSerializer(serializers.Serializer):
    """The dashboard's coverage table, as the caller's role sees it on /hr/."""

    on = serializers.DateField(help_text="the day the people were counted in their departments")
    level = serializers.IntegerField()
    suppressed = serializers.BooleanField(
        help_text="true: cells under 5 people, and cells that would reveal them, are null (ADR 0012)"
    )
    competencies = serializers.ListField(child=serializers.CharField())
    rows = CoverageRowSerializer(many=True)
    note = serializers.CharField()


class TrainingRuleSerializer(serializers.Serializer):
    """An assignment (受講指示): what, for whom, by when."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=150)
    course = serializers.CharField(
        required=False,
        allow_null=True,
        help_text=(
            "the slug of a live course offered to the caller's municipality (shared, its prefecture's or "
            "its own; the most specific when several have the slug); exactly one of course and quiz"
        ),
    )
    quiz = serializers.IntegerField(required=False, allow_null=True, help_text="the quiz's id")
    department = serializers.CharField(
        required=False, allow_null=True, help_text="a department's code: it and everything under it"
    )
    job_grades = serializers.ListField(child=serializers.CharField(), required=False, help_text="役職 codes")
    job_categories = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="職種 codes"
    )
    hire_year_from = serializers.IntegerField(required=False, allow_null=True, min_value=1940, max_value=2100)
    hire_year_to = serializers.IntegerField(required=False, allow_null=True, min_value=1940, max_value=2100)
    employee_numbers = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="people named besides those who match"
    )
    due_on = serializers.DateField(required=False, allow_null=True)
    due_within_days = serializers.IntegerField(
        required=False, allow_null=True, help_text="days after a person first matches (instead of due_on)"
    )
    every_year = serializers.BooleanField(required=False, default=False)
    starts_on = serializers.DateField(read_only=True)
    withdrawn_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def to_representation(self, rule):
        data = {
            "id": rule.pk,
            "title": rule.title,
            "course": rule.course.slug if rule.course_id else None,
            "quiz": rule.quiz_id,
            "department": rule.department.code if rule.department_id else None,
            "job_grades": rule.job_grades,
            "job_categories": rule.job_categories,
            "hire_year_from": rule.hire_year_from,
            "hire_year_to": rule.hire_year_to,
            "employee_numbers": sorted(p.employee_number for p in rule.people.all()),
            "due_on": rule.due_on.isoformat() if rule.due_on else None,
            "due_within_days": rule.due_within_days,
            "every_year": rule.every_year,
            "starts_on": rule.starts_on.isoformat(),
            "withdrawn_at": rule.withdrawn_at.isoformat() if rule.withdrawn_at else None,
        }
        return data


class TrainingRuleIssuedSerializer(TrainingRuleSerializer):
    """The assignment just issued, with how many people it was assigned to."""

    assigned = serializers.IntegerField(read_only=True)

    def to_representation(self, rule):
        return {**super().to_representation(rule), "assigned": rule.assigned}


class TrainingDueSerializer(serializers.Serializer):
    """One person's assignment in one cycle, with its status read from their learning records today."""

    id = serializers.IntegerField()
    rule = serializers.IntegerField(source="rule_id")
    employee_number = serializers.CharField(source="staff.employee_number")
    cycle = serializers.IntegerField(help_text="the fiscal year (a yearly rule) or the year of issue")
    matched_on = serializers.DateField()
    due_on = serializers.DateField()
    left_on = serializers.DateField(allow_null=True, help_text="no longer matched the rule (not counted)")
    status = serializers.ChoiceField(
        choices=["completed", "in_progress", "not_started", "overdue", "exempt"], source="progress.status"
    )
    completed_at = serializers.DateTimeField(source="progress.completed_at", allow_null=True)
    exempt_reason = serializers.CharField()
