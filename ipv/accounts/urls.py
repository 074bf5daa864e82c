from django.urls import path

from ipv.accounts import views

app_name = "accounts"

urlpatterns = [
    path("app/", views.landing, name="landing"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("account/unlock/<str:token>/", views.sign_in_unlock, name="sign_in_unlock"),
    path("account/notifications/", views.notifications, name="notifications"),
]

# Mounted at /<lang>/a/<agency_slug>/ in the "agency" namespace: AgencyMiddleware resolves the
# agency and the person's roles in it before any of these views runs.
agency_urlpatterns = [
    path("staff/", views.staff, name="staff"),
    path("staff/invite/", views.staff_invite, name="staff_invite"),
    path("staff/<int:user_id>/", views.staff_member, name="staff_member"),
    path("staff/<int:user_id>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("settings/", views.agency_settings, name="settings"),
]
