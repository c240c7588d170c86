from django.urls import path

from ura.apps.people import views

app_name = "people"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("new", views.record_create, name="create"),
    path("export.csv", views.record_export, name="export"),
    path("<int:record_id>/", views.record_detail, name="detail"),
    path("<int:record_id>/edit", views.record_edit, name="edit"),
    path("<int:record_id>/delete", views.record_delete, name="delete"),
]
