from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from ipv.core import views as core_views

handler400 = "ipv.core.views.bad_request"
handler403 = "ipv.core.views.permission_denied"
handler404 = "ipv.core.views.page_not_found"
handler500 = "ipv.core.views.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path(
        "favicon.ico",
        RedirectView.as_view(url=settings.STATIC_URL + "img/favicon.svg", permanent=True),
    ),
]

urlpatterns += i18n_patterns(
    path("", core_views.home, name="home"),
    path("directory/", include("directory.urls")),
    path("admin/", admin.site.urls),
)
