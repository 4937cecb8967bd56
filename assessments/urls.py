from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    path("quizzes/<int:quiz_id>/", views.quiz_detail, name="quiz"),
    path("quizzes/<int:quiz_id>/start/", views.quiz_start, name="start"),
    path("attempts/<int:attempt_id>/", views.attempt_take, name="attempt"),
    path("attempts/<int:attempt_id>/answers/<int:position>/", views.attempt_answer, name="answer"),
    path("attempts/<int:attempt_id>/result/", views.attempt_result, name="result"),
    path("xblocks/quiz/<int:quiz_id>/handler/<str:handler>/", views.xblock_handler, name="xblock_handler"),
]
