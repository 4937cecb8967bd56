"""Uploading a package in the Wagtail admin (人事課 and 外部人材)."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from courses.scorm import services
from courses.scorm.forms import PackageUploadForm
from courses.scorm.package import PackageRefused

UPLOAD_PERMISSION = "scorm.add_scormpackage"


class PackageUploadView(PermissionRequiredMixin, WagtailAdminTemplateMixin, FormView):
    permission_required = UPLOAD_PERMISSION
    raise_exception = True
    page_title = _("SCORM 教材の登録")
    header_icon = "upload"
    form_class = PackageUploadForm
    template_name = "scorm/admin/upload.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"municipality_ids": self.request.municipality_ids}

    def form_valid(self, form: PackageUploadForm):
        try:
            lesson = services.package_upload(
                user=self.request.user,
                municipality=form.cleaned_data["municipality"],
                course=form.cleaned_data["course"],
                title=form.cleaned_data["title"],
                archive=form.cleaned_data["package"],
            )
        except PackageRefused as refusal:
            form.add_error("package", str(refusal))
            return self.form_invalid(form)
        except services.CourseNotOffered as refusal:  # the form checks it first; the service again
            form.add_error("course", str(refusal))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("「%(title)s」をレッスンの下書きとして登録し、承認を依頼しました。") % {"title": lesson.title},
        )
        if lesson.permissions_for_user(self.request.user).can_edit():  # advisors author the curriculum
            return redirect("wagtailadmin_pages:edit", lesson.pk)
        return redirect("scorm_upload")  # HR uploads; the DX推進課 reviews the draft
