"""The confidential store's pages and the case team's two doors to it (mounted under
/<lang>/a/<agency_slug>/ in the "agency" namespace)."""

from django.urls import path

from victims.views import concerns, naming

agency_urlpatterns = [
    path("referrals/<int:referral>/concern/", concerns.concern_raise, name="concern_raise"),
    path(
        "referrals/<int:referral>/alerts/<int:pk>/seen/",
        concerns.risk_alert_seen,
        name="risk_alert_seen",
    ),
    path(
        "referrals/<int:referral>/named-people/new/",
        naming.referral_named_person,
        name="referral_named_person",
    ),
]
