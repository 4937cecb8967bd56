"""Forms of the competency framework's admin: file import, new version, and the rows' edit forms."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm

from .case_io import Hierarchy
from .csv_io import MAX_BYTES
from .models import Competency, CompetencyArea, CompetencyMapping, ProficiencyLevel

FORMAT_BY_EXTENSION = {".csv": "csv", ".txt": "csv", ".json": "case"}


class FrameworkImportForm(forms.Form):
    file = forms.FileField(
        label=_("フレームワークのファイル"),
        help_text=_(
            "CSV(.csv、UTF-8 または Shift_JIS)か、1EdTech CASE 1.0 の CFPackage(.json)。"
            "形式は拡張子で判断します。"
        ),
    )
    make_current = forms.BooleanField(
        label=_("取り込んだ版を現行版にする"),
        required=False,
        help_text=_("新しい学習実績は現行版に対して記録されます。"),
    )

    kind = forms.ChoiceField(
        label=_("CASE パッケージの種類"),
        choices=[
            ("auto", _("自動判定(領域・能力の種類だけなら自分たちの版、ほかは参照フレームワーク)")),
            ("own", _("自分たちのフレームワークの版")),
            ("reference", _("参照フレームワーク(ほかの団体が公開したもの)")),
        ],
        initial="auto",
        required=False,
        help_text=_("CSV では使いません。"),
    )
    area_depth = forms.IntegerField(
        label=_("領域にする階層"),
        min_value=1,
        max_value=10,
        initial=1,
        required=False,
        help_text=_(
            "参照フレームワークで、文書の何段下の項目を領域にするか(1 = 文書の直下)。"
            "子のない項目(末端)が能力項目になり、間の階層は能力項目の説明に残ります。"
        ),
    )
    area_types = forms.CharField(
        label=_("領域にする項目の種類(CFItemType)"),
        required=False,
        max_length=500,
        help_text=_("カンマ区切り(例: Domain, Cluster)。指定すると階層ではなく種類で選びます。"),
    )
    competency_types = forms.CharField(
        label=_("能力項目にする項目の種類(CFItemType)"),
        required=False,
        max_length=500,
        help_text=_("カンマ区切り(例: Standard)。空なら子のない項目(末端)が能力項目です。"),
    )

    def __init__(self, *args, may_make_current: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not may_make_current:
            del self.fields["make_current"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます。"))
        extension = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in FORMAT_BY_EXTENSION:
            raise forms.ValidationError(_("CSV(.csv)か CASE の JSON(.json)を選んでください。"))
        self.cleaned_data["format"] = FORMAT_BY_EXTENSION[extension]
        return upload

    def hierarchy(self) -> Hierarchy:
        data = self.cleaned_data
        return Hierarchy.of(
            area_depth=data["area_depth"] or 1,
            area_types=data["area_types"].split(","),
            competency_types=data["competency_types"].split(","),
        )

    def reference(self) -> bool | None:
        return {"own": False, "reference": True}.get(self.cleaned_data["kind"])


class FrameworkNewVersionForm(forms.Form):
    version = forms.CharField(label=_("新しい版"), max_length=20, help_text=_("例: 1.1"))


class FrameworkScopedForm(WagtailAdminModelForm):
    """A row of one framework version: the version is chosen when the row is added, never moved later."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "framework" in self.fields:
            self.fields["framework"].disabled = True


class CompetencyAreaForm(FrameworkScopedForm):
    class Meta:
        model = CompetencyArea
        fields = ["framework", "code", "name", "name_en", "sort_order"]


class ProficiencyLevelForm(FrameworkScopedForm):
    class Meta:
        model = ProficiencyLevel
        fields = ["framework", "level", "name", "name_en", "descriptor", "descriptor_en"]


class CompetencyForm(WagtailAdminModelForm):
    """The framework version is the chosen area's, so the two can never disagree."""

    class Meta:
        model = Competency
        fields = [
            "area",
            "code",
            "name",
            "name_en",
            "description",
            "description_en",
            "source_mapping",
            "is_core",
            "sort_order",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        areas = CompetencyArea.objects.select_related("framework").order_by(
            "framework__title", "-framework__created_at", "sort_order", "code"
        )
        if self.instance.pk:
            areas = areas.filter(framework_id=self.instance.framework_id)
        field = self.fields["area"]
        field.queryset = areas
        field.label_from_instance = lambda area: f"{area.framework} / {area}"
        field.help_text = _("能力項目は、選んだ領域と同じフレームワーク(版)に属します。")

    def clean(self):
        cleaned = super().clean()
        area, code = cleaned.get("area"), cleaned.get("code")
        if area is not None:
            self.instance.framework = area.framework
        if area is not None and code:
            taken = Competency.objects.filter(framework_id=area.framework_id, code=code).exclude(
                pk=self.instance.pk
            )
            if taken.exists():
                self.add_error(
                    "code", _("この版にはコード %(code)s の能力項目がすでにあります。") % {"code": code}
                )
        return cleaned


def _competency_label(competency: Competency) -> str:
    return f"{competency.framework} / {competency.code} {competency.name}"


class CompetencyMappingForm(WagtailAdminModelForm):
    """One of our competencies and the reference framework's item it is mapped to."""

    class Meta:
        model = CompetencyMapping
        fields = ["competency", "relation", "reference", "note"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        competencies = Competency.objects.select_related("framework").order_by(
            "framework__title", "-framework__created_at", "sort_order", "code"
        )
        for name, is_reference in (("competency", False), ("reference", True)):
            field = self.fields[name]
            field.queryset = competencies.filter(framework__is_reference=is_reference)
            field.label_from_instance = _competency_label
