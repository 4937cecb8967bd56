from django.urls import path

from . import admin_views

app_name = "competencies_admin"
urlpatterns = [
    path("import/", admin_views.FrameworkImportView.as_view(), name="framework_import"),
    path("<int:pk>/export/<str:file_format>/", admin_views.framework_export, name="framework_export"),
    path("<int:pk>/current/", admin_views.FrameworkSetCurrentView.as_view(), name="framework_set_current"),
    path(
        "<int:pk>/new-version/", admin_views.FrameworkNewVersionView.as_view(), name="framework_new_version"
    ),
]
