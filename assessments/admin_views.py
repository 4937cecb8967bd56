"""Admin views: import a Moodle GIFT / XML question file (whole or nothing) and export the bank."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessments import bank
from assessments.models import Question
from lms_site.import_views import ImportView, Link, Note
from lms_site.organisation.api import owner_field


class QuestionImportForm(forms.Form):
    file = forms.FileField(
        label=_("問題ファイル"), help_text=_("Moodle の GIFT(.txt/.gift、UTF-8)または Moodle XML(.xml)")
    )
    file_format = forms.ChoiceField(label=_("形式"), choices=[("gift", "GIFT"), ("moodlexml", "Moodle XML")])
    competency = forms.CharField(
        label=_("既定の能力項目コード"),
        required=False,
        max_length=10,
        help_text=_("カテゴリで能力項目が分からない問題に使います(例: A1)"),
    )


class QuestionImportView(ImportView):
    """Imports into a bank the person may change: their municipality's (or, platform-wide, the shared
    library or any municipality's), chosen on the form."""

    permission_required = "assessments.add_question"
    page_title = _("問題の取込・書出し")
    form_class = QuestionImportForm

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["municipality"] = owner_field(self.request.user)
        return form

    def notes(self) -> list[Note]:
        notes = []
        if not bank.import_publishes(self.request.user):
            notes.append(
                Note(
                    _(
                        "公開の権限がないため、取り込んだ問題(新規・更新とも)は承認待ちの下書きとして"
                        "承認ワークフローに提出されます。承認されるまで、公開中の問題・採点・受験結果は変わりません。"
                    ),
                    css="help-block help-info",
                )
            )
        notes.append(
            Note(
                _(
                    "カテゴリの最後の部分が能力項目コード(例: $course$/自治体DX/Lv2/A1)なら、その能力項目に、"
                    "Lv1〜Lv5 の部分があればそのレベルに登録します。"
                    "ファイル全体を検証し、1問でも誤りがあれば何も取り込みません。"
                )
            )
        )
        return notes

    def links(self) -> tuple[str, list[Link]]:
        if not self.request.user.has_perm("assessments.export_question"):
            return "", []
        return _("書出し"), [
            Link(label, reverse("assessments_admin:export", args=[file_format]))
            for file_format, label in (("gift", "GIFT"), ("moodlexml", "Moodle XML"))
        ]

    def import_file(self, form: QuestionImportForm) -> bank.QuestionImportOutcome:
        return bank.questions_import(
            content=form.cleaned_data["file"].read(),
            file_format=form.cleaned_data["file_format"],
            user=self.request.user,
            default_competency=form.cleaned_data["competency"] or None,
            owner=form.cleaned_data["municipality"],
        )

    def imported(self, outcome: bank.QuestionImportOutcome):
        messages.success(
            self.request,
            _("新規 %(created)d 問、更新 %(updated)d 問、変更なし %(unchanged)d 問を取り込みました。")
            % {"created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged},
        )
        if outcome.published:
            messages.success(
                self.request,
                _("公開した問題(%(count)d 問): %(names)s")
                % {"count": len(outcome.published), "names": "、".join(outcome.published)},
            )
        if outcome.in_review:
            messages.warning(
                self.request,
                _(
                    "「%(workflow)s」に提出した問題(%(count)d 問、承認されるまで公開中の内容は変わりません):"
                    " %(names)s"
                )
                % {
                    "workflow": outcome.workflow_name,
                    "count": len(outcome.in_review),
                    "names": "、".join(outcome.in_review),
                },
            )
        return redirect("assessments_admin:import")


@permission_required("assessments.export_question", raise_exception=True)  # the keys: ADR 0010
def questions_export_view(request, file_format: str):
    if file_format not in bank.FORMATS:
        raise Http404
    content = bank.questions_export(questions=Question.objects.filter(live=True), file_format=file_format)
    suffix = "txt" if file_format == "gift" else "xml"
    response = HttpResponse(
        content, content_type="application/xml" if suffix == "xml" else "text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="questions.{suffix}"'
    return response
