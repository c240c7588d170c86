"""Pages of the removals app."""

from django.urls import path

from ura.apps.removals import views

app_name = "removals"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    path("cases/<int:case_id>/steps/<str:transition>", views.step, name="step"),
]
