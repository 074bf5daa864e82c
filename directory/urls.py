from django.urls import path

from directory import views

app_name = "directory"

urlpatterns = [
    path("", views.agency_list, name="agency_list"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency_detail"),
    path("services/", views.service_list, name="service_list"),
]
