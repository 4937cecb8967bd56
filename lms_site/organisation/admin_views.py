"""Wagtail admin views for importing staff from the HR system, with progress for large files."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms_site.import_views import ImportView, Note
from lms_site.jobs import job_progress

from . import services
from .forms import StaffImportForm
from .models import Municipality, MunicipalityKind, StaffImport


class ImportPermissionMixin(PermissionRequiredMixin):
    permission_required = "organisation.import_staff"
    raise_exception = True


class StaffImportListView(ImportPermissionMixin, WagtailAdminTemplateMixin, ListView):
    page_title = _("職員データ取込")
    header_icon = "upload"
    template_name = "organisation/admin/staff_import_list.html"
    paginate_by = 50

    def get_queryset(self):
        return StaffImport.objects.select_related("requested_by").defer("content")


class StaffImportCreateView(ImportView):
    """The import runs as a job (``lms_site.jobs``): the page goes to the job, which shows any problems."""

    permission_required = "organisation.import_staff"
    page_title = _("職員データ取込")
    page_subtitle = _("新しい取込")
    form_class = StaffImportForm

    def notes(self) -> list[Note]:
        return [
            Note(
                _(
                    "ファイル全体を検証してから、1つのトランザクションで取り込みます。"
                    "1行でも誤りがあれば何も変更されません。"
                )
            )
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "municipalities": self.choosable_municipalities()}

    def choosable_municipalities(self):
        """Only the system administrator chooses; everyone else imports into their own municipality."""
        if self.request.municipality_ids is None:
            return Municipality.objects.exclude(kind=MunicipalityKind.PREFECTURE)
        return None

    def form_valid(self, form: StaffImportForm):
        # Always the uploader's municipality (issue 13): never the first one, never one named in the file.
        ids = self.request.municipality_ids
        if ids is None:
            municipality = form.cleaned_data["municipality"]
        elif len(ids) == 1:
            municipality = Municipality.objects.get(pk=ids[0])
        else:
            form.add_error(
                None,
                _(
                    "所属する自治体が特定できないため、取り込めません。人事課の職員として登録されているか確認してください。"
                ),
            )
            return self.form_invalid(form)
        upload = form.cleaned_data["file"]
        job = services.staff_import_job_create(
            municipality=municipality,
            file_name=upload.name,
            content=upload.read(),
            effective_date=form.cleaned_data["effective_date"],
            retire_missing=form.cleaned_data["retire_missing"],
            requested_by=self.request.user,
        )
        return redirect("organisation_admin:staff_import_detail", pk=job.pk)


class StaffImportDetailView(ImportPermissionMixin, WagtailAdminTemplateMixin, DetailView):
    page_title = _("職員データ取込")
    header_icon = "upload"
    template_name = "organisation/admin/staff_import_detail.html"
    model = StaffImport
    context_object_name = "job"

    def get_page_subtitle(self) -> str:
        return self.object.file_name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["running"] = not self.object.finished
        context["progress_url"] = reverse("organisation_admin:staff_import_progress", args=[self.object.pk])
        return context


def staff_import_progress(request, pk: int) -> JsonResponse:
    if not request.user.has_perm("organisation.import_staff"):
        return JsonResponse({"error": "forbidden"}, status=403)
    job = get_object_or_404(StaffImport.objects.defer("content"), pk=pk)
    processed, total = job_progress(job)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "processed_rows": processed,
            "total_rows": total,
            "finished": job.finished,
        }
    )
