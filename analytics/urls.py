from django.urls import path

from . import views, views_audit, views_prefecture

app_name = "analytics"
urlpatterns = [
    path("hr/", views.dashboard, name="dashboard"),
    path("hr/export/<slug:name>.<slug:fmt>", views.export, name="export"),
    path("hr/talent/", views.talent, name="talent"),
    path("hr/audit/", views_audit.access_log, name="access_log"),
    path("hr/targets/", views.targets, name="targets"),
    path("hr/snapshots/", views.snapshot_run, name="snapshot_run"),
    path("hr/snapshots/<int:run_id>/", views.snapshot_status, name="snapshot_status"),
    path("pref/", views_prefecture.prefecture, name="prefecture"),
    path("pref/export/<slug:name>.<slug:fmt>", views_prefecture.prefecture_export, name="prefecture_export"),
]
