"""The editors' forms of questions and quizzes: the owner among the editor's municipalities (ADR 0024),
and a fixed quiz listing only questions of its own pool (ADR 0010) offered to its owner."""

from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminModelForm

from lms_site.organisation.api import OwnedContentFormMixin, offered_to


class QuestionAdminForm(OwnedContentFormMixin, WagtailAdminModelForm):
    pass


class QuizAdminForm(OwnedContentFormMixin, WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        items = self.formsets.get("items")
        if items is None or not items.is_valid():
            return cleaned
        chosen = [
            form.cleaned_data["question"]
            for form in items.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("question") is not None
        ]
        exam = bool(cleaned.get("is_leader_exam"))
        wrong = [str(question) for question in chosen if question.exam_only != exam]
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
        owner = self.instance.municipality_id
        if "municipality" in self.fields:
            owner = cleaned.get("municipality")
        if chosen and "municipality" not in self.errors:
            offered = set(
                type(chosen[0])
                ._base_manager.filter(offered_to(owner), pk__in=[q.pk for q in chosen])
                .values_list("pk", flat=True)
            )
            foreign = [str(q) for q in chosen if q.pk not in offered]
            if foreign:
                self.add_error(
                    None,
                    _(
                        "「%(questions)s」はこの小テストの提供元では使えない問題です"
                        "(共通の小テストには共通の問題だけ、団体の小テストにはその団体と都道府県と共通の問題を使えます)。"
                    )
                    % {"questions": "」「".join(foreign)},
                )
        return cleaned
