from django.urls import path

from . import views

app_name = "periods"
urlpatterns = [
    path("", views.period_list, name="list"),
    path("create-year/", views.create_year, name="create_year"),
    path("custom/", views.create_custom, name="create_custom"),
    path("<int:pk>/toggle/", views.toggle, name="toggle"),
    path("deadlines/", views.deadlines, name="deadlines"),
]
