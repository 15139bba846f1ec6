from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("cchc.web.urls")),
    path("", include("cchc.accounts.urls")),
    path("units/", include("cchc.units.urls")),
    path("periods/", include("cchc.periods.urls")),
    path("reporting/", include("cchc.reporting.urls")),
    path("dossiers/", include("cchc.onestop.urls")),
    path("scoring/", include("cchc.scoring.urls")),
    path("api/", include("cchc.api.urls")),
    path("admin/", admin.site.urls),
]
