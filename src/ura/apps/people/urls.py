from django.urls import path

from ura.apps.people import index_views, views

app_name = "people"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("new", views.record_create, name="create"),
    path("export.csv", views.record_export, name="export"),
    path("<int:record_id>/", views.record_detail, name="detail"),
    path("<int:record_id>/edit", views.record_edit, name="edit"),
    path("<int:record_id>/delete", views.record_delete, name="delete"),
    path("index/", index_views.person_search, name="search"),
    path("index/<str:person_id>/", index_views.person_detail, name="person"),
    path("review/", index_views.review_list, name="review"),
    path("review/<int:pair_id>/", index_views.review_detail, name="review-pair"),
    path("runs/", index_views.run_list, name="runs"),
    path("runs/start", index_views.run_start, name="run-start"),
]
