from django.urls import path

from . import admin_views

app_name = "lti_admin"
urlpatterns = [
    path("", admin_views.RegistrationListView.as_view(), name="registrations"),
    path(
        "<int:registration_id>/courses/<int:context_id>/members/",
        admin_views.ContextMembersView.as_view(),
        name="members",
    ),
]
