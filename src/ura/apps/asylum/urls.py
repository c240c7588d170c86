"""Pages of the asylum app."""

from django.urls import URLPattern, path

from ura.apps.asylum import views

app_name = "asylum"

urlpatterns: list[URLPattern] = [
    path("", views.backlog, name="backlog"),
    path("queue/", views.queue, name="queue"),
    path("missed-reporting/", views.missed_reporting, name="missed-reporting"),
    path("cases/<int:case_id>/screening/", views.screening, name="screening"),
    path("cases/<int:case_id>/assessment/", views.assessment, name="assessment"),
    path("cases/<int:case_id>/reporting/", views.reporting, name="reporting"),
    path("cases/<int:case_id>/<slug:transition>/", views.step, name="step"),
]
