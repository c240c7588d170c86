from django.urls import path

from ura.apps.sources import views

app_name = "sources"
urlpatterns = [
    path("", views.source_list, name="list"),
    path("<slug:name>/", views.source_detail, name="detail"),
    path("<slug:name>/batches/<int:batch_id>/", views.batch_detail, name="batch"),
]
