"""The clipping action of the COI library (included by ``ura.apps.coi.urls`` under /coi/)."""

from django.urls import URLPattern, path

from ura.apps.coi import clip_views

urlpatterns: list[URLPattern] = [
    path("clip", clip_views.clip, name="clip"),
]
