"""Admin views: import a Moodle GIFT / XML question file (whole or nothing) and export the bank."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from assessments import bank
from assessments.models import Question
from lms_site.organisation.content import owner_field


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


class QuestionImportView(PermissionRequiredMixin, WagtailAdminTemplateMixin, FormView):
    """Imports into a bank the person may change: their municipality's (or, platform-wide, the shared
    library or any municipality's), chosen on the form."""

    permission_required = "assessments.add_question"
    raise_exception = True
    page_title = _("問題の取込・書出し")
    header_icon = "upload"
    form_class = QuestionImportForm
    template_name = "assessments/admin/import.html"

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["municipality"] = owner_field(self.request.user)
        return form

    def get_context_data(self, **kwargs):
        return super().get_context_data(publishes=bank.import_publishes(self.request.user), **kwargs)

    def form_valid(self, form: QuestionImportForm):
        outcome = bank.questions_import(
            content=form.cleaned_data["file"].read(),
            file_format=form.cleaned_data["file_format"],
            user=self.request.user,
            default_competency=form.cleaned_data["competency"] or None,
            owner=form.cleaned_data["municipality"],
        )
        if not outcome.ok:
            return self.render_to_response(self.get_context_data(form=form, errors=outcome.errors))
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
