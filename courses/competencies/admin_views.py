"""Admin views for moving a framework in and out (CSV, CASE JSON) and for managing its versions."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms_site.import_views import ImportView, Note

from . import services
from .forms import FrameworkImportForm, FrameworkNewVersionForm
from .models import CompetencyFramework

IMPORT_PERMISSION = "competencies.add_competencyframework"
CHANGE_PERMISSION = "competencies.change_competencyframework"
VIEW_PERMISSION = "competencies.view_competencyframework"
FRAMEWORK_INDEX = "competency_framework:index"


class FrameworkImportView(ImportView):
    permission_required = IMPORT_PERMISSION
    page_title = _("能力フレームワークの取込")
    form_class = FrameworkImportForm
    count_problems = True

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"may_make_current": self.request.user.has_perm(CHANGE_PERMISSION)}

    def notes(self) -> list[Note]:
        return [
            Note(
                _(
                    "ファイル全体を検証してから、1つのトランザクションで取り込みます。問題が1つでもあれば何も変更されません。"
                    "登録済みの版(同じ名称と版)は書き換えず、同じ内容なら何もしません。"
                )
            )
        ]

    def import_file(self, form: FrameworkImportForm) -> services.FrameworkImportOutcome:
        content = form.cleaned_data["file"].read()
        make_current = form.cleaned_data.get("make_current", False)
        if form.cleaned_data["format"] == "csv":
            return services.framework_import_csv(content=content, make_current=make_current)
        return services.framework_import_case(
            content=content,
            make_current=make_current,
            reference=form.reference(),
            hierarchy=form.hierarchy(),
        )

    def imported(self, outcome: services.FrameworkImportOutcome):
        messages.success(self.request, outcome.summary())
        return redirect(FRAMEWORK_INDEX)


@permission_required(VIEW_PERMISSION, raise_exception=True)
def framework_export(request, pk: int, file_format: str) -> HttpResponse:
    framework = get_object_or_404(CompetencyFramework, pk=pk)
    name = f"{framework.title}_v{framework.version}"
    if file_format == "csv":
        response = HttpResponse(
            services.framework_export_csv(framework=framework), content_type="text/csv; charset=utf-8"
        )
        name += ".csv"
    elif file_format == "case":
        package = services.framework_export_case(framework=framework)
        response = HttpResponse(
            json.dumps(package, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        name += ".case.json"
    else:
        raise Http404
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


class FrameworkObjectMixin(PermissionRequiredMixin, WagtailAdminTemplateMixin):
    raise_exception = True
    header_icon = "form"

    def dispatch(self, request, *args, **kwargs):
        self.framework = get_object_or_404(CompetencyFramework, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self) -> str:
        return str(self.framework)

    def get_context_data(self, **kwargs):
        index_url = reverse(FRAMEWORK_INDEX)
        return super().get_context_data(framework=self.framework, index_url=index_url, **kwargs)


class FrameworkSetCurrentView(FrameworkObjectMixin, TemplateView):
    """GET asks to confirm; POST makes the framework the current version."""

    permission_required = CHANGE_PERMISSION
    page_title = _("現行版にする")
    template_name = "competencies/admin/framework_set_current.html"

    def post(self, request, *args, **kwargs):
        try:
            services.framework_set_current(framework=self.framework)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(FRAMEWORK_INDEX)
        messages.success(request, _("「%(framework)s」を現行版にしました。") % {"framework": self.framework})
        return redirect(FRAMEWORK_INDEX)


class FrameworkNewVersionView(FrameworkObjectMixin, FormView):
    permission_required = IMPORT_PERMISSION
    page_title = _("新しい版を作成")
    form_class = FrameworkNewVersionForm
    template_name = "competencies/admin/framework_new_version.html"

    def form_valid(self, form: FrameworkNewVersionForm):
        try:
            created = services.framework_new_version(
                framework=self.framework, version=form.cleaned_data["version"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("「%(framework)s」を作成しました。内容を確認してから現行版にしてください。")
            % {"framework": created},
        )
        return redirect(FRAMEWORK_INDEX)
