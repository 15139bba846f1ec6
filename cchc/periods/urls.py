from django.urls import path

from . import views

app_name = "periods"
urlpatterns = [path("", views.period_list, name="list")]
