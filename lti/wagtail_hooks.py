"""The municipality's HR sees its LMS registrations and their courses' members in the Wagtail admin
(設定 › LMS 連携); the system administrator keeps the registrations themselves in Django's admin."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_urls
from .admin_views import PERMISSION


class HrMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_admin_urls")
def register_lti_admin_urls():
    return [path("lti/", include((admin_urls, "lti_admin")))]


@hooks.register("register_settings_menu_item")
def register_lti_menu_item():
    return HrMenuItem(_("LMS 連携(LTI)"), reverse("lti_admin:registrations"), icon_name="site", order=610)
