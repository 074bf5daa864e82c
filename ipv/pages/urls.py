"""The routes of the pages that compose several apps: the public home, the agency's home,
a referral's page and the changes that reach into the program, transfers, and the court
liaison portal. ipv/urls.py mounts them with every app's own."""

from django.urls import path

from ipv.pages import court, home, messages, referrals, trail, transfers

# Under /<lang>/a/<agency_slug>/, in the "agency" namespace.
agency_urlpatterns = [
    path("", home.agency_home, name="home"),
    path("referrals/", referrals.referral_queue, name="referral_queue"),
    path("referrals/new/", referrals.referral_new, name="referral_new"),
    path("referrals/<int:pk>/", referrals.referral_detail, name="referral_detail"),
    path(
        "referrals/<int:pk>/status/<slug:transition>/",
        referrals.referral_transition,
        name="referral_transition",
    ),
    path("referrals/<int:pk>/intake/record/", referrals.intake_record, name="intake_record"),
    path("referrals/<int:pk>/return/", referrals.referral_return, name="referral_return"),
    path("referrals/<int:pk>/transfer/", transfers.transfer_request, name="transfer_request"),
    path("transfers/", transfers.transfer_list, name="transfer_list"),
    path("transfers/<int:pk>/", transfers.transfer_detail, name="transfer_detail"),
    path("audit/", trail.trail, name="audit"),
    path("messages/", messages.outgoing_messages, name="outgoing_messages"),
    path("messages/<int:pk>/send-again/", messages.message_send_again, name="message_retry"),
]

# Under /<lang>/court/, in the "court" namespace.
court_urlpatterns = [
    path("", court.court_home, name="home"),
    path("referrals/new/", court.court_referral_new, name="referral_new"),
    path("referrals/<int:pk>/", court.court_referral, name="referral"),
]
