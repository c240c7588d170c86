"""Pages of the decision panel (mounted under /cases/decisions/)."""

from django.urls import path

from ura.apps.cases import decision_views

app_name = "case_decisions"

urlpatterns = [
    path("case/<int:case_id>/draft", decision_views.draft, name="draft"),
    path("<int:decision_id>/edit", decision_views.edit, name="edit"),
    path("<int:decision_id>/submit", decision_views.submit, name="submit"),
    path("<int:decision_id>/return", decision_views.return_, name="return"),
    path("<int:decision_id>/approve", decision_views.approve, name="approve"),
    path("<int:decision_id>/pdf", decision_views.pdf, name="pdf"),
]
