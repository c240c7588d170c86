"""Background jobs live under their own prefix: any user may follow their own jobs."""

from django.urls import path

from ura.apps.core import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:job_id>/", views.job_progress, name="progress"),
]
