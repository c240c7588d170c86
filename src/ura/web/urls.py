"""URL map: each app owns its prefix."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from ura.web import views
from ura.web.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("ura.apps.accounts.urls")),
    path("people/", include("ura.apps.people.urls")),
    path("sources/", include("ura.apps.sources.urls")),
    path("cases/decisions/", include("ura.apps.cases.decision_urls")),
    path("cases/", include("ura.apps.cases.urls")),
    path("asylum/", include("ura.apps.asylum.urls")),
    path("trafficking/", include("ura.apps.trafficking.urls")),
    path("readmission/", include("ura.apps.readmission.urls")),
    path("returns/", include("ura.apps.returns.urls")),
    path("removals/", include("ura.apps.removals.urls")),
    path("coi/", include("ura.apps.coi.urls")),
    path("statistics/", include("ura.apps.statistics.urls")),
    path("audit/", include("ura.apps.core.urls")),
    path("jobs/", include("ura.apps.core.job_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

admin.site.site_header = _("Ura administration")
admin.site.site_title = "Ura"
