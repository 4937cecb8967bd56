"""Forms of the certification pages: qualification claims, the capstone steps, revocation."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.competencies.api import Competency

from . import proofs
from .models import Capstone
from .selectors import claimable_qualifications
from .services import ClaimError, proof_check


class QualificationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} — {obj.issuer}" if obj.issuer else obj.name


class QualificationClaimForm(forms.Form):
    qualification = QualificationChoiceField(
        label=_("資格"), queryset=claimable_qualifications(with_map=False), empty_label=_("選んでください")
    )
    passed_on = forms.DateField(
        label=_("合格日・取得日"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("例: 2025-06-15"),
    )
    certificate_number = forms.CharField(
        label=_("合格証書番号・登録番号"), max_length=50, required=False, help_text=_("分かる場合のみ")
    )
    proof = forms.FileField(
        label=_("証明書類(合格証書など)"),
        help_text=_("PDF、PNG、JPEG のいずれか、%(mb)d MB まで。人事課だけが確認に使います。")
        % {"mb": proofs.MAX_BYTES // 1024 // 1024},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}
        ),
    )

    def clean_passed_on(self):
        passed_on = self.cleaned_data["passed_on"]
        if passed_on > timezone.localdate():
            raise forms.ValidationError(_("合格日・取得日に未来の日付は指定できません。"))
        return passed_on

    def clean_proof(self):
        proof = self.cleaned_data["proof"]
        try:
            proof_check(proof=proof)
        except ClaimError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return proof


class CompetencyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {obj.name}"


class CapstonePlanForm(forms.ModelForm):
    """The plan of a capstone; the competencies come from the current framework."""

    competencies = CompetencyChoiceField(
        label=_("発揮する能力項目"),
        queryset=Competency.objects.filter(framework__is_current=True).order_by("sort_order", "code"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("承認されると、選んだ能力項目にレベル3(実践する)の実績が記録されます。"),
    )

    class Meta:
        model = Capstone
        fields = ["title", "problem", "plan", "target", "is_cross_department", "competencies"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in ("problem", "plan", "target")}
        help_texts = {
            "problem": _("今の業務で困っていること、住民や職員への影響を書いてください。"),
            "plan": _("3〜6か月で行うこと、使うデジタル技術、関係する課を書いてください。"),
            "target": _("例: 申請1件あたりの処理時間を20分から10分に。測定の方法も書いてください。"),
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class CapstoneReportForm(forms.ModelForm):
    attachments = MultipleFileField(
        label=_("添付ファイル"),
        required=False,
        help_text=_("PDF、PNG、JPEG のいずれか、1件%(mb)d MB まで、5件まで(効果の測定結果など)。")
        % {"mb": proofs.MAX_BYTES // 1024 // 1024},
    )

    class Meta:
        model = Capstone
        fields = ["report", "measured_effect", "hours_saved_per_year", "inclusion_check"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 5})
            for name in ("report", "measured_effect", "inclusion_check")
        }
        help_texts = {
            "measured_effect": _("実施前と実施後の数値、測った期間と方法を書いてください。"),
            "inclusion_check": _(
                "デジタルに不慣れな住民や職員、障害のある方、外国籍の方などへの配慮と、その確かめ方を書いてください。"
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("report", "measured_effect", "inclusion_check"):
            self.fields[name].required = True


class CapstoneDecisionForm(forms.Form):
    """The 所属長's decision on a plan or a report: go ahead, or return with a comment."""

    decision = forms.ChoiceField(
        label=_("判断"),
        choices=[("accept", _("了承・推薦する")), ("return", _("差し戻す"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("コメント"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("差し戻す場合はコメントを入力してください。"))
        return data


class CapstoneAssessmentForm(CapstoneDecisionForm):
    """The advisor's rubric (one 1–4 score per criterion) with approve/return and a comment."""

    SCORE_CHOICES = [(4, _("4 十分")), (3, _("3 おおむね")), (2, _("2 最低限")), (1, _("1 不十分"))]

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [("accept", _("承認する")), ("return", _("差し戻す"))]
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                choices=self.SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                help_text=criterion.description,
            )

    def scores(self) -> dict[str, int]:
        return {str(c.pk): self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}

    def score_fields(self):
        return [self[f"score_{c.pk}"] for c in self.criteria]


class CertificateRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("取消の理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "理由は人事課の記録にだけ残ります。公開の確認ページとバッジ(Open Badges)には、"
            "取り消されたことと取消日だけが表示されます。"
        ),
    )
