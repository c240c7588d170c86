"""Pages of the COI library, under /coi/ (clipping a passage into a case: ``clip_urls``)."""

from django.urls import URLPattern, URLResolver, include, path

from ura.apps.coi import views

app_name = "coi"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.search, name="search"),
    path("documents/<int:document_id>/", views.document, name="document"),
    path("documents/<int:document_id>/edit/", views.document_edit, name="document-edit"),
    path("documents/<int:document_id>/withdraw", views.document_withdraw, name="document-withdraw"),
    path(
        "documents/<int:document_id>/editions/<int:number>/file",
        views.edition_download,
        name="edition-file",
    ),
    path("documents/<int:document_id>/editions/new", views.new_edition, name="new-edition"),
    path(
        "documents/<int:document_id>/duplicate-review",
        views.duplicate_review,
        name="duplicate-review",
    ),
    path("sources/", views.source_list, name="sources"),
    path("sources/new/", views.source_edit, name="source-create"),
    path("sources/<int:source_id>/", views.source_detail, name="source"),
    path("sources/<int:source_id>/edit/", views.source_edit, name="source-edit"),
    path("countries/", views.country_list, name="countries"),
    path("countries/<str:code>/", views.country, name="country"),
    path("saved/", views.saved_list, name="saved"),
    path("saved/new", views.saved_create, name="saved-create"),
    path("saved/<int:saved_id>/", views.saved_run, name="saved-run"),
    path("saved/<int:saved_id>/rename", views.saved_rename, name="saved-rename"),
    path("saved/<int:saved_id>/delete", views.saved_delete, name="saved-delete"),
    path("import/", views.document_import, name="import"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:batch_id>/", views.import_batch, name="import-batch"),
    path(
        "rejections/<int:rejection_id>/file",
        views.rejection_download,
        name="rejection-file",
    ),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("", include("ura.apps.coi.clip_urls")),
]
