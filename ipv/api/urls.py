"""/api/v1/: outside the language prefix (the caller's Accept-Language chooses)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ipv.api import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("referrals/", views.ReferralList.as_view(), name="referrals"),
    path("referrals/<int:pk>/", views.ReferralDetail.as_view(), name="referral"),
    path(
        "referrals/<int:pk>/certificate/",
        views.CertificateDownload.as_view(),
        name="referral_certificate",
    ),
    path(
        "referrals/<int:pk>/reports/<int:report_pk>/",
        views.ReportDownload.as_view(),
        name="referral_report",
    ),
]
