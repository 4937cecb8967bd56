from django.urls import path

from . import admin_views

app_name = "organisation_admin"
urlpatterns = [
    path("imports/", admin_views.StaffImportListView.as_view(), name="staff_import_list"),
    path("imports/new/", admin_views.StaffImportCreateView.as_view(), name="staff_import_create"),
    path("imports/<int:pk>/", admin_views.StaffImportDetailView.as_view(), name="staff_import_detail"),
    path("imports/<int:pk>/progress/", admin_views.staff_import_progress, name="staff_import_progress"),
]
