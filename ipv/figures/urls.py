"""The figures' routes, mounted by ipv/urls.py."""

from django.urls import path

from ipv.figures import views, views_exports, views_wide

# Under /<lang>/a/<agency_slug>/, in the "agency" namespace.
agency_urlpatterns = [
    path("figures/", views.agency_dashboard, name="figures"),
    path("figures/cases/<slug:key>/", views.agency_cases, name="figure_cases"),
    path(
        "figures/cases/<slug:key>/download/",
        views_exports.cases_download,
        name="figure_cases_download",
    ),
    path("figures/report/", views_exports.agency_report, name="figures_report"),
    path("exports/", views_exports.export_list, name="exports"),
    path("exports/<int:pk>/", views_exports.export_detail, name="export"),
    path("exports/<int:pk>/download/", views_exports.export_download, name="export_download"),
]

# Under /<lang>/court/, in the "court" namespace.
court_urlpatterns = [
    path("figures/", views_wide.court_dashboard, name="figures"),
]

# Under /<lang>/province/, in the "province" namespace: the platform administrators'.
province_urlpatterns = [
    path("figures/", views_wide.province_dashboard, name="figures"),
    path("report/", views_exports.province_report, name="report"),
]
