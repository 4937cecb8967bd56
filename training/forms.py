"""The form HR and 所属長 fill in to assign training. It only parses; ``services.rule_create`` checks the
whole request (against the municipality and the 所属長's subtree) and reports every problem at once."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.api import Quiz
from courses.api import CoursePage
from lms_site.organisation.api import Department, JobCategory, JobGrade, StaffProfile, offered_to

from .services import RuleSpec


class RuleForm(forms.Form):
    title = forms.CharField(
        label=_("名称"), max_length=150, help_text=_("例: 令和8年度 情報セキュリティ研修(全職員)")
    )
    item = forms.ChoiceField(label=_("受講するもの"))
    department = forms.ChoiceField(label=_("対象の所属(配下を含む)"), required=False)
    job_grades = forms.MultipleChoiceField(
        label=_("対象の役職"), choices=JobGrade.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    job_categories = forms.MultipleChoiceField(
        label=_("対象の職種"),
        choices=JobCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hire_year_from = forms.IntegerField(
        label=_("採用年度(から)"), required=False, min_value=1940, max_value=2100
    )
    hire_year_to = forms.IntegerField(
        label=_("採用年度(まで)"), required=False, min_value=1940, max_value=2100
    )
    employee_numbers = forms.CharField(
        label=_("個別に指定する職員の職員番号"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("改行、空白または読点で区切ります。条件を指定しないときは、この職員だけが対象です。"),
    )
    due_on = forms.DateField(label=_("期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_within_days = forms.IntegerField(
        label=_("または、対象になってから何日以内"), required=False, min_value=1, max_value=730
    )
    every_year = forms.BooleanField(label=_("毎年度受講する(前年度の修了は数えません)"), required=False)

    def __init__(self, *args, municipality_id: int, subtree: Department | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality_id = municipality_id
        # the courses offered to the municipality: shared, its own and its prefecture's (ADR 0024)
        courses = (
            CoursePage.objects.live()
            .filter(offered_to(municipality_id))
            .order_by("title")
            .values_list("pk", "title")
        )
        quizzes = Quiz.objects.filter(live=True).order_by("title").values_list("pk", "title")
        self.fields["item"].choices = [
            (_("コース"), [(f"course:{pk}", title) for pk, title in courses]),
            (_("小テスト"), [(f"quiz:{pk}", title) for pk, title in quizzes]),
        ]
        departments = Department.objects.filter(municipality_id=municipality_id, is_active=True)
        if subtree is not None:
            departments = departments.filter(path__startswith=subtree.path)
            empty = _("(あなたが所属長を務める所属の全体)")
        else:
            empty = _("(自治体の全職員)")
        self.departments = {str(d.pk): d for d in departments.order_by("path")}
        self.fields["department"].choices = [("", empty)] + [
            (pk, ("　" * (d.depth - 1)) + d.name) for pk, d in self.departments.items()
        ]

    def clean_employee_numbers(self) -> list[StaffProfile]:
        numbers = [n for n in re.split(r"[\s,、]+", self.cleaned_data["employee_numbers"]) if n]
        found = {
            p.employee_number: p
            for p in StaffProfile.objects.filter(
                municipality_id=self.municipality_id, employee_number__in=numbers
            )
        }
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(
                _("職員番号 %(numbers)s の職員はいません。") % {"numbers": "、".join(missing)}
            )
        return [found[n] for n in dict.fromkeys(numbers)]

    def spec(self) -> RuleSpec:
        data = self.cleaned_data
        kind, _sep, pk = data["item"].partition(":")
        course = CoursePage.objects.filter(pk=pk).first() if kind == "course" else None
        quiz = Quiz.objects.filter(pk=pk).first() if kind == "quiz" else None
        return RuleSpec(
            title=data["title"],
            course=course,
            quiz=quiz,
            department=self.departments.get(data["department"] or ""),
            job_grades=data["job_grades"],
            job_categories=data["job_categories"],
            hire_year_from=data["hire_year_from"],
            hire_year_to=data["hire_year_to"],
            people=data["employee_numbers"],
            due_on=data["due_on"],
            due_within_days=data["due_within_days"],
            every_year=data["every_year"],
        )


class ExemptForm(forms.Form):
    reason = forms.CharField(label=_("免除の理由"), max_length=200)


class SessionForm(forms.Form):
    """Parses HR's form for a classroom session; ``sessions.session_create`` checks it as a whole."""

    title = forms.CharField(label=_("名称"), max_length=150, help_text=_("例: DX基礎 集合研修(第1回)"))
    course = forms.ChoiceField(label=_("コース"))
    starts_at = forms.DateTimeField(
        label=_("開始日時"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("終了日時"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    venue = forms.CharField(label=_("会場"), max_length=200)
    capacity = forms.IntegerField(label=_("定員"), min_value=1, max_value=1000)
    registration_deadline = forms.DateTimeField(
        label=_("申込締切"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    needs_manager_approval = forms.BooleanField(label=_("所属長の承認が必要"), required=False)
    trainer = forms.CharField(
        label=_("講師の職員番号"), max_length=20, required=False, help_text=_("講師が出欠を記録します")
    )

    def __init__(self, *args, municipality_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality_id = municipality_id
        # the courses offered to the municipality: shared, its own and its prefecture's (ADR 0024)
        courses = (
            CoursePage.objects.live()
            .filter(offered_to(municipality_id))
            .order_by("title")
            .values_list("pk", "title")
        )
        self.fields["course"].choices = [(str(pk), title) for pk, title in courses]

    def clean_trainer(self):
        number = self.cleaned_data["trainer"].strip()
        if not number:
            return None
        profile = (
            StaffProfile.objects.filter(municipality_id=self.municipality_id, employee_number=number)
            .select_related("user")
            .first()
        )
        if profile is None:
            raise forms.ValidationError(_("職員番号 %(number)s の職員はいません。") % {"number": number})
        return profile.user

    def spec(self):
        from .sessions import SessionSpec

        data = self.cleaned_data
        return SessionSpec(
            title=data["title"],
            course=CoursePage.objects.filter(pk=data["course"]).first(),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            venue=data["venue"],
            capacity=data["capacity"],
            registration_deadline=data["registration_deadline"],
            needs_manager_approval=data["needs_manager_approval"],
            trainer=data["trainer"],
        )
