from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage
from courses.scorm.package import MAX_TOTAL_BYTES
from courses.scorm.selectors import course_offered, upload_courses
from lms_site.organisation.api import Municipality

# a course the uploader is not offered (another municipality's own) is answered as one that does not exist
NO_SUCH_COURSE = _("このコースは選べません。一覧にあるコースから選んでください。")
NOT_OFFERED = _("コース「%(course)s」は%(municipality)sに提供されていないため、教材を登録できません。")


class PackageUploadForm(forms.Form):
    course = forms.ModelChoiceField(
        label=_("コース"),
        queryset=CoursePage.objects.none(),
        error_messages={"invalid_choice": NO_SUCH_COURSE},
        help_text=_("教材はこのコースのレッスン(下書き)になり、DX推進課の承認を経て公開されます。"),
    )
    municipality = forms.ModelChoiceField(
        label=_("自治体"), queryset=Municipality.objects.none(), help_text=_("教材を利用する自治体")
    )
    title = forms.CharField(
        label=_("レッスンの題名"), max_length=200, required=False, help_text=_("空欄ならパッケージの題名")
    )
    package = forms.FileField(label=_("SCORM パッケージ(.zip)"))

    def __init__(self, *args, municipality_ids: list[int] | None, **kwargs):
        super().__init__(*args, **kwargs)
        # only the courses offered to the uploader's municipalities (ADR 0024): a posted id of another
        # municipality's own course is refused as not one of the choices
        self.fields["course"].queryset = upload_courses(municipality_ids=municipality_ids)
        towns = Municipality.objects.order_by("code")
        if municipality_ids is not None:
            towns = towns.filter(pk__in=municipality_ids)
        self.fields["municipality"].queryset = towns
        self.only_municipality = None
        if municipality_ids is not None and len(municipality_ids) == 1:  # staff: their own, not asked
            self.only_municipality = towns.first()
            del self.fields["municipality"]

    def clean(self):
        cleaned = super().clean()
        if self.only_municipality is not None:
            cleaned["municipality"] = self.only_municipality
        course, municipality = cleaned.get("course"), cleaned.get("municipality")
        # an advisor's course offered to one of their municipalities, the package for another
        if course and municipality and not course_offered(course=course, municipality=municipality):
            names = {"course": course.title, "municipality": municipality.name}
            self.add_error("course", NOT_OFFERED % names)
        return cleaned

    def clean_package(self):
        upload = self.cleaned_data["package"]
        if upload.size > MAX_TOTAL_BYTES:
            raise forms.ValidationError(
                _("ファイルが大きすぎます(上限 %(limit)d MB)。") % {"limit": MAX_TOTAL_BYTES // 2**20}
            )
        return upload
