from django.urls import path

from . import session_views, views

app_name = "training"
urlpatterns = [
    path("hr/training/", views.rule_list, name="rule_list"),
    path("hr/training/new/", views.rule_new, name="rule_new"),
    path("hr/training/<int:rule_id>/", views.rule_detail, name="rule_detail"),
    path("hr/training/<int:rule_id>/withdraw/", views.rule_withdraw, name="rule_withdraw"),
    path("hr/training/<int:rule_id>/export/<slug:name>.<slug:fmt>", views.rule_export, name="rule_export"),
    path("hr/training/<int:rule_id>/dues/<int:due_id>/exempt/", views.due_exempt, name="due_exempt"),
    path("me/training.ics", views.todo_ics, name="todo_ics"),
    path("sessions/", session_views.session_list, name="session_list"),
    path("sessions/<int:session_id>/", session_views.session_detail, name="session_detail"),
    path("sessions/<int:session_id>/invitation.ics", session_views.session_ics, name="session_ics"),
    path("hr/training/sessions/", session_views.hr_session_list, name="hr_session_list"),
    path("hr/training/sessions/new/", session_views.hr_session_new, name="hr_session_new"),
    path("hr/training/sessions/<int:session_id>/roll-call/", session_views.roll_call, name="roll_call"),
    path(
        "hr/training/sessions/<int:session_id>/edit/", session_views.hr_session_edit, name="hr_session_edit"
    ),
    path(
        "hr/training/sessions/<int:session_id>/cancel/",
        session_views.hr_session_cancel,
        name="hr_session_cancel",
    ),
    path("hr/training/sessions/approvals/", session_views.approvals, name="session_approvals"),
    path(
        "hr/training/sessions/registrations/<int:registration_id>/decide/",
        session_views.decide,
        name="session_decide",
    ),
]
