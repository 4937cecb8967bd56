from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from courses.scorm.admin_views import UPLOAD_PERMISSION, PackageUploadView


class UploadMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(UPLOAD_PERMISSION)


@hooks.register("register_admin_urls")
def register_scorm_admin_urls():
    return [path("scorm/upload/", PackageUploadView.as_view(), name="scorm_upload")]


@hooks.register("register_admin_menu_item")
def register_scorm_menu_item():
    return UploadMenuItem(_("SCORM 教材の登録"), reverse("scorm_upload"), icon_name="upload", order=260)
