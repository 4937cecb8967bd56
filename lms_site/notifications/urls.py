from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("me/notifications/", views.inbox, name="inbox"),
    path("me/notifications/read/", views.inbox_read, name="inbox_read"),
    path("me/notifications/settings/", views.preferences, name="preferences"),
]
