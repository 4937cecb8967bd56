from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage
from courses.scorm.package import MAX_TOTAL_BYTES
from lms_site.organisation.api import Municipality


class PackageUploadForm(forms.Form):
    course = forms.ModelChoiceField(
        label=_("コース"),
        queryset=CoursePage.objects.none(),
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
        self.fields["course"].queryset = CoursePage.objects.order_by("path")
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
        return cleaned

    def clean_package(self):
        upload = self.cleaned_data["package"]
        if upload.size > MAX_TOTAL_BYTES:
            raise forms.ValidationError(
                _("ファイルが大きすぎます(上限 %(limit)d MB)。") % {"limit": MAX_TOTAL_BYTES // 2**20}
            )
        return upload
