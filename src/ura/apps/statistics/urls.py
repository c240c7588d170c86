"""Pages of migration statistics, under /statistics/."""

from django.urls import URLPattern, path

from ura.apps.statistics import views

app_name = "statistics"

urlpatterns: list[URLPattern] = [
    path("", views.catalogue, name="catalogue"),
    path("tables/<int:table_id>/", views.table_detail, name="table"),
    path("tables/<int:table_id>/download/<str:fmt>", views.table_download, name="download"),
    path("tables/<int:table_id>/unprotected.csv", views.table_unprotected, name="unprotected"),
    path("tables/<int:table_id>/review", views.table_review, name="review"),
    path("tables/<int:table_id>/publish", views.table_publish, name="publish"),
    path("runs/", views.runs, name="runs"),
    path("profile/", views.profile_latest, name="profile_latest"),
    path("runs/<int:run_id>/profile/", views.profile_page, name="profile"),
    path("runs/<int:run_id>/profile/texts/<slug:slot>", views.profile_text, name="profile_text"),
    path(
        "runs/<int:run_id>/profile/texts/<slug:slot>/review",
        views.profile_text_review,
        name="profile_text_review",
    ),
    path(
        "runs/<int:run_id>/profile/texts/<slug:slot>/publish",
        views.profile_text_publish,
        name="profile_text_publish",
    ),
    path("runs/<int:run_id>/profile.pdf", views.profile_pdf, name="profile_pdf"),
    path("regional/", views.regional, name="regional"),
    path("international/", views.international, name="international"),
]
