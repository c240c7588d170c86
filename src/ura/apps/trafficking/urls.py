"""Pages of the trafficking app."""

from django.urls import URLPattern

app_name = "trafficking"

urlpatterns: list[URLPattern] = []
