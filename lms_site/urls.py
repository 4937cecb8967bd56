"""URL configuration: our views first, then the Wagtail admin, documents and pages (catch-all last)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lms_site.identity.views import SignOutView
from lms_site.security import SignInView

handler500 = "lms_site.security.server_error"
handler404 = "lms_site.security.page_not_found"

urlpatterns = [
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", SignOutView.as_view(), name="logout"),
    path("", include("lms_site.identity.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("api/", include("api.urls")),
    # the CASE 1.0 provider at the binding's conventional base too (ADR 0021): the same views as under /api/
    path("ims/case/v1p0/", include(("api.case_urls", "case"), namespace="case")),
    path("lti/", include("lti.urls")),
    # Wagtail's workflow reports, without other municipalities' questions and quizzes (ADR 0024)
    path("admin/reports/", include("lms_site.organisation.workflow_reports")),
    # and its site history, for a municipality's people only what their own people did
    path("admin/reports/", include("lms_site.organisation.history")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include("courses.urls")),
    path("", include("courses.scorm.urls")),
    path("", include("assessments.urls")),
    path("", include("assessments.certification.urls")),
    path("", include("analytics.urls")),
    path("", include("training.urls")),
    path("", include("lms_site.notifications.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
