from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("hr/training/", views.rule_list, name="rule_list"),
    path("hr/training/new/", views.rule_new, name="rule_new"),
    path("hr/training/<int:rule_id>/", views.rule_detail, name="rule_detail"),
    path("hr/training/<int:rule_id>/withdraw/", views.rule_withdraw, name="rule_withdraw"),
    path("hr/training/<int:rule_id>/export/<slug:name>.<slug:fmt>", views.rule_export, name="rule_export"),
    path("hr/training/<int:rule_id>/dues/<int:due_id>/exempt/", views.due_exempt, name="due_exempt"),
    path("me/training.ics", views.todo_ics, name="todo_ics"),
]
