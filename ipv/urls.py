from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from fees.urls import agency_urlpatterns as fees_urlpatterns
from ipv.accounts import views as accounts_views
from ipv.accounts.urls import agency_urlpatterns as accounts_urlpatterns
from ipv.core import views as core_views
from ipv.figures.urls import agency_urlpatterns as figures_urlpatterns
from ipv.figures.urls import court_urlpatterns as figures_court_urlpatterns
from ipv.figures.urls import province_urlpatterns as figures_province_urlpatterns
from ipv.pages import health, home, metrics
from ipv.pages.urls import agency_urlpatterns as pages_urlpatterns
from ipv.pages.urls import court_urlpatterns as pages_court_urlpatterns
from referrals.urls import agency_urlpatterns as referral_urlpatterns
from referrals.urls import public_urlpatterns as referral_public_urlpatterns
from sessions_app.urls import agency_urlpatterns as sessions_urlpatterns
from sessions_app.urls import court_urlpatterns as sessions_court_urlpatterns
from sessions_app.urls import public_urlpatterns as sessions_public_urlpatterns
from victims.urls import agency_urlpatterns as victims_urlpatterns

handler400 = "ipv.core.views.bad_request"
handler403 = "ipv.core.views.permission_denied"
handler404 = "ipv.core.views.page_not_found"
handler500 = "ipv.core.views.server_error"

urlpatterns = [
    path("", core_views.root, name="root"),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("api/v1/", include("ipv.api.urls")),
    path(
        "favicon.ico",
        RedirectView.as_view(url=settings.STATIC_URL + "img/favicon.svg", permanent=True),
    ),
]

# The admin signs in through the site's own sign-in (with its second factor).
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns += i18n_patterns(
    path("", home.home, name="home"),
    path("directory/", include("directory.urls")),
    # Before allauth's own page of that name: people do not change their sign-in address.
    path("account/email/", accounts_views.email_managed, name="account_email"),
    path("account/", include("allauth.urls")),
    path("", include("ipv.accounts.urls")),
    path(
        "a/<slug:agency_slug>/",
        include(
            (
                pages_urlpatterns
                + accounts_urlpatterns
                + referral_urlpatterns
                + sessions_urlpatterns
                + fees_urlpatterns
                + victims_urlpatterns
                + figures_urlpatterns,
                "agency",
            )
        ),
    ),
    path(
        "court/",
        include(
            (
                pages_court_urlpatterns + sessions_court_urlpatterns + figures_court_urlpatterns,
                "court",
            )
        ),
    ),
    path("province/", include((figures_province_urlpatterns, "province"))),
    *sessions_public_urlpatterns,
    *referral_public_urlpatterns,
    path("admin/", admin.site.urls),
)
