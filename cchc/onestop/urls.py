from django.urls import path

from . import views

app_name = "onestop"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("late/", views.late, name="late"),
    path("late.xlsx", views.late_xlsx, name="late_xlsx"),
    path("unit/<str:code>/", views.unit_detail, name="unit"),
    path("fill/<str:unit_code>/<str:period_code>/", views.fill_indicators, name="fill_indicators"),
]
