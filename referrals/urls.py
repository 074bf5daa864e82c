"""The court liaison portal (/<lang>/court/…) and the agency's referral pages, mounted under
/<lang>/a/<agency_slug>/ in the "agency" namespace (ipv/urls.py)."""

from django.urls import path

from referrals.views import agency, court, intake, transfers
from sessions_app.urls import court_urlpatterns as documents_urlpatterns

app_name = "court"

urlpatterns = [
    path("", court.court_home, name="home"),
    path("referrals/new/", court.court_referral_new, name="referral_new"),
    path("referrals/<int:pk>/", court.court_referral, name="referral"),
    *documents_urlpatterns,
]

agency_urlpatterns = [
    path("referrals/", agency.referral_queue, name="referral_queue"),
    path("referrals/new/", agency.referral_new, name="referral_new"),
    path("referrals/<int:pk>/", agency.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/edit/", agency.referral_edit, name="referral_edit"),
    path("referrals/<int:pk>/accept/", agency.referral_accept, name="referral_accept"),
    path(
        "referrals/<int:pk>/status/<slug:transition>/",
        agency.referral_transition,
        name="referral_transition",
    ),
    path("referrals/<int:pk>/intake/book/", intake.intake_book, name="intake_book"),
    path("referrals/<int:pk>/intake/missed/", intake.intake_missed, name="intake_missed"),
    path("referrals/<int:pk>/intake/record/", intake.intake_record, name="intake_record"),
    path("referrals/<int:pk>/return/", intake.referral_return, name="referral_return"),
    path("referrals/<int:pk>/transfer/", transfers.transfer_request, name="transfer_request"),
    path("transfers/", transfers.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/", transfers.transfer_detail, name="transfer_detail"),
    path("participants/<int:pk>/", agency.participant_detail, name="participant_detail"),
    path("participants/<int:pk>/edit/", agency.participant_edit, name="participant_edit"),
    path("duplicates/<int:pk>/", agency.duplicate_resolve, name="duplicate_resolve"),
]
