from django.urls import path

from assessments import admin_views

urlpatterns = [
    path("import/", admin_views.QuestionImportView.as_view(), name="import"),
    path("export/<str:file_format>/", admin_views.questions_export_view, name="export"),
]
