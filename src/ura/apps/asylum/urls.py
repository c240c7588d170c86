"""Pages of the asylum app."""

from django.urls import URLPattern

app_name = "asylum"

urlpatterns: list[URLPattern] = []
