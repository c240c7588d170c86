"""Pages of the returns app."""

from django.urls import path

from ura.apps.returns import views

app_name = "returns"

urlpatterns = [
    path("", views.home, name="home"),
    path("referrals/", views.referrals, name="referrals"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    path("cases/<int:case_id>/actions/<str:code>", views.action, name="action"),
]
