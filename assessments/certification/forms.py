"""The learner's qualification claim form. The file is judged by its content (see ``proofs``)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import proofs
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
