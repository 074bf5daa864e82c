"""`make bench`'s URLconf: the site's routes and the bare frame of a staff page
(ipv.pages.bench), which the site itself does not serve."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path

from ipv.pages.bench import frame
from ipv.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    *i18n_patterns(path("a/<slug:agency_slug>/bench-frame/", frame)),
    *site_urlpatterns,
]
