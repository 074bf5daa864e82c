"""The agency's referral pages that need only referrals, mounted under
/<lang>/a/<agency_slug>/ in the "agency" namespace (ipv/urls.py). The court portal and the
pages that compose several apps are in ipv.pages.urls."""

from django.urls import path

from referrals.views import agency, intake, public

agency_urlpatterns = [
    path("referrals/<int:pk>/edit/", agency.referral_edit, name="referral_edit"),
    path("referrals/<int:pk>/accept/", agency.referral_accept, name="referral_accept"),
    path("referrals/<int:pk>/intake/book/", intake.intake_book, name="intake_book"),
    path("referrals/<int:pk>/intake/missed/", intake.intake_missed, name="intake_missed"),
    path("participants/<int:pk>/", agency.participant_detail, name="participant_detail"),
    path("participants/<int:pk>/edit/", agency.participant_edit, name="participant_edit"),
    path("duplicates/<int:pk>/", agency.duplicate_resolve, name="duplicate_resolve"),
]

# The link in a participant's reminder email: no sign-in, the token is its key.
public_urlpatterns = [
    path("reminders/stop/<str:token>/", public.reminders_stop, name="reminders_stop"),
]
