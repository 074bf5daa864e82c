"""/api/v1/: outside the language prefix (the caller's Accept-Language chooses)."""

from django.urls import path
from django.views.decorators.cache import never_cache
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ipv.api import views

app_name = "api"

urlpatterns = [
    # Public (they hold no case data); never cached, like every page a person signed in sees.
    path("schema/", never_cache(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        never_cache(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
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
