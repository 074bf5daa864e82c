"""The figures' routes, mounted by ipv/urls.py."""

from django.urls import path

from ipv.figures import views

# Under /<lang>/a/<agency_slug>/, in the "agency" namespace.
agency_urlpatterns = [
    path("figures/", views.agency_dashboard, name="figures"),
    path("figures/cases/<slug:key>/", views.agency_cases, name="figure_cases"),
]
