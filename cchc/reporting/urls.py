from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("validation/<str:period_code>/", views.validation_report, name="validation_report"),
    path("completeness/<str:period_code>/", views.completeness, name="completeness"),
    path("aggregate/<str:unit_code>/<str:period_code>/", views.aggregate_view, name="aggregate"),
    path("aggregate/<str:unit_code>/<str:period_code>/xlsx/", views.aggregate_xlsx, name="aggregate_xlsx"),
    path("trend/<str:unit_code>/<int:year>/", views.trend_view, name="trend"),
    path("trend/<str:unit_code>/<int:year>/xlsx/", views.trend_xlsx, name="trend_xlsx"),
    path("<str:unit_code>/<str:period_code>/", views.submission_form, name="form"),
    path("<str:unit_code>/<str:period_code>/save/", views.save, name="save"),
    path("<str:unit_code>/<str:period_code>/validate-field/", views.validate_field, name="validate_field"),
    path("<str:unit_code>/<str:period_code>/submit/", views.submit, name="submit"),
    path("<str:unit_code>/<str:period_code>/approve/", views.approve, name="approve"),
    path("<str:unit_code>/<str:period_code>/return/", views.return_view, name="return"),
    path("<str:unit_code>/<str:period_code>/template.xlsx", views.template_download, name="template"),
    path("<str:unit_code>/<str:period_code>/upload/", views.upload, name="upload"),
]
