from django.urls import path

from courses.scorm import views

app_name = "scorm"
urlpatterns = [
    path("learning/lessons/<int:lesson_id>/scorm/<int:package_id>/launch/", views.launch, name="launch"),
    path(
        "learning/lessons/<int:lesson_id>/scorm/<int:package_id>/files/<path:path>",
        views.package_file,
        name="file",
    ),
    path("learning/scorm/attempts/<uuid:key>/commit/", views.commit, name="commit"),
]
