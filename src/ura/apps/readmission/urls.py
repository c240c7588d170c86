"""Pages of the readmission app."""

from django.urls import path

from ura.apps.readmission import views

app_name = "readmission"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.draft, name="draft"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("deemed-consent/", views.deemed_consent_due, name="deemed-consent-due"),
    path("cases/<int:case_id>/form.pdf", views.form_pdf, name="form-pdf"),
    path("cases/<int:case_id>/send", views.send, name="send"),
    path("cases/<int:case_id>/deemed-consent", views.deemed_consent, name="deemed-consent"),
    path("cases/<int:case_id>/steps/<str:transition>", views.step, name="step"),
]
