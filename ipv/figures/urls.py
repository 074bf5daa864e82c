"""The figures' routes, mounted by ipv/urls.py."""

from django.urls import path

from ipv.figures import views, views_wide

# Under /<lang>/a/<agency_slug>/, in the "agency" namespace.
agency_urlpatterns = [
    path("figures/", views.agency_dashboard, name="figures"),
    path("figures/cases/<slug:key>/", views.agency_cases, name="figure_cases"),
]

# Under /<lang>/court/, in the "court" namespace.
court_urlpatterns = [
    path("figures/", views_wide.court_dashboard, name="figures"),
]

# Under /<lang>/province/, in the "province" namespace.
province_urlpatterns = [
    path("figures/", views_wide.province_dashboard, name="figures"),
]
