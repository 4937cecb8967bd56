"""The quiz editor's form: a fixed quiz may list only questions of its own pool (ADR 0010)."""

from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminModelForm


class QuizAdminForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        items = self.formsets.get("items")
        if items is None or not items.is_valid():
            return cleaned
        exam = bool(cleaned.get("is_leader_exam"))
        wrong = [
            str(form.cleaned_data["question"])
            for form in items.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("question") is not None
            and form.cleaned_data["question"].exam_only != exam
        ]
        if wrong and exam:
            self.add_error(
                None,
                _(
                    "「%(questions)s」は試験専用の問題ではありません。知識試験には試験専用の問題だけを出題できます。"
                )
                % {"questions": "」「".join(wrong)},
            )
        elif wrong:
            self.add_error(
                None,
                _("「%(questions)s」は試験専用の問題です。練習用の小テストには出題できません。")
                % {"questions": "」「".join(wrong)},
            )
        return cleaned
