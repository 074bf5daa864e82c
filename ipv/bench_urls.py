"""`make bench`'s URLconf: the site's routes and the bare frames of a staff page, a public page
and an API call (ipv.pages.bench), which the site itself does not serve."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from ipv.pages.bench import ApiFrame, frame, public_frame
from ipv.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("api/v1/bench-frame/", ApiFrame.as_view()),
    *i18n_patterns(
        path("a/<slug:agency_slug>/bench-frame/", frame), path("bench-frame/", public_frame)
    ),
    *site_urlpatterns,
]
