"""Pages of the trafficking app."""

from django.urls import path, re_path

from ura.apps.trafficking import views

app_name = "trafficking"

urlpatterns = [
    path("", views.home, name="home"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/<int:referral_id>/answer", views.referral_answer, name="referral-answer"),
    re_path(r"^htcds\.(?P<fmt>json|csv)$", views.htcds_all, name="htcds-all"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    path("cases/<int:case_id>/screening", views.screening, name="screening"),
    path("cases/<int:case_id>/referral", views.refer, name="refer"),
    path("cases/<int:case_id>/steps/<str:transition>", views.step, name="step"),
    path("cases/<int:case_id>/services", views.service_list, name="services"),
    path("cases/<int:case_id>/identity", views.identity, name="identity"),
    re_path(
        r"^cases/(?P<case_id>\d+)/htcds\.(?P<fmt>json|csv)$", views.htcds_case, name="htcds-case"
    ),
]
