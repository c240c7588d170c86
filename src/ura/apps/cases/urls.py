"""Pages of the cases app."""

from django.urls import path

from ura.apps.cases import supervision_views, views, write_views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("queue/", views.queue, name="queue"),
    path("new/", views.case_create, name="create"),
    path("dashboard/", supervision_views.dashboard, name="dashboard"),
    path("notifications/", views.notifications, name="notifications"),
    path("procedures/", supervision_views.procedure_list, name="procedures"),
    path(
        "procedures/<str:code>/<int:version>/", supervision_views.procedure_detail, name="procedure"
    ),
    path("documents/<int:document_id>", write_views.document_download, name="document"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/transition", views.case_transition, name="transition"),
    path("<int:case_id>/notes", write_views.note_add, name="note-add"),
    path("<int:case_id>/persons", write_views.person_add, name="person-add"),
    path(
        "<int:case_id>/persons/<str:person_id>/remove",
        write_views.person_remove,
        name="person-remove",
    ),
    path("<int:case_id>/update", write_views.case_update, name="update"),
    path("<int:case_id>/documents", write_views.document_add, name="document-add"),
    path("<int:case_id>/tasks", write_views.task_add, name="task-add"),
    path("<int:case_id>/tasks/<int:task_id>/done", write_views.task_complete, name="task-done"),
    path("<int:case_id>/consents", write_views.consent_record, name="consent-add"),
    path(
        "<int:case_id>/consents/<int:consent_id>/withdraw",
        write_views.consent_withdraw,
        name="consent-withdraw",
    ),
    path("<int:case_id>/referrals", write_views.referral_submit, name="referral-add"),
    path(
        "<int:case_id>/referrals/<int:referral_id>/<str:step>",
        write_views.referral_step,
        name="referral-step",
    ),
    path("<int:case_id>/transfers", write_views.transfer_request, name="transfer-add"),
    path(
        "<int:case_id>/transfers/<int:transfer_id>/<str:step>",
        write_views.transfer_step,
        name="transfer-step",
    ),
    path("<int:case_id>/assign", write_views.assign, name="assign"),
    path("<int:case_id>/unassign/<int:user_id>", write_views.unassign, name="unassign"),
]
