from django.urls import path

from referrals import views

app_name = "court"

urlpatterns = [
    path("", views.court_home, name="home"),
]
