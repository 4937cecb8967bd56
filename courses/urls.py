from django.urls import path

from courses import views

app_name = "courses"
urlpatterns = [
    path("learning/courses/<int:course_id>/enrol/", views.enrol, name="enrol"),
    path("learning/lessons/<int:lesson_id>/complete/", views.complete_lesson, name="complete_lesson"),
    path("learning/courses/<int:course_id>/restart/", views.restart, name="restart"),
    path("me/", views.my_learning, name="my_learning"),
    path("learning/courses/", views.catalogue, name="catalogue"),
]
