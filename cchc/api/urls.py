"""The REST API under /api/ (OpenAPI schema at /api/openapi.json, docs at /api/docs)."""

from cchc.api.api import api

app_name = "api"
urlpatterns = api.urls[0]
