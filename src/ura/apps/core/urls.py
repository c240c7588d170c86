from django.urls import path

from ura.apps.core import views

app_name = "core"
urlpatterns = [
    path("", views.audit_event_list, name="events"),
    path("export.csv", views.audit_event_export, name="export"),
    path("verify", views.audit_verify_start, name="verify"),
]
