from rest_framework import serializers

from assessments.certification.models import Certificate, CompetencyLevel
from courses.competencies.models import Competency
from courses.models import Enrollment
from lms_site.organisation.models import Department, StaffProfile


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
