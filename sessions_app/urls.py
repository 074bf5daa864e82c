"""Agency pages (mounted under /<lang>/a/<agency_slug>/ in the "agency" namespace), court
liaison downloads (in the "court" namespace) and the public pages."""

from django.urls import path

from sessions_app.views import attendance, groups, program, public, records

agency_urlpatterns = [
    path("groups/", groups.group_list, name="group_list"),
    path("groups/new/", groups.group_new, name="group_new"),
    path("groups/<int:pk>/", groups.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", groups.group_edit, name="group_edit"),
    path("sessions/<int:pk>/", attendance.session_roster, name="session_roster"),
    path(
        "sessions/<int:pk>/attendance/<int:referral_id>/",
        attendance.roster_row,
        name="roster_row",
    ),
    path("sessions/<int:pk>/makeup/", attendance.session_makeup, name="session_makeup"),
    path("sessions/<int:pk>/cancel/", groups.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/move/", groups.session_move, name="session_move"),
    path("curriculum/", groups.curriculum, name="curriculum"),
    path("curriculum/<slug:program>/edit/", groups.curriculum_edit, name="curriculum_edit"),
    path("calendar/", groups.calendar_feed, name="calendar_feed"),
    path("referrals/<int:pk>/group/", program.referral_enrol, name="referral_enrol"),
    path(
        "participants/<int:pk>/records/",
        records.participant_records,
        name="participant_records",
    ),
    path("referrals/<int:pk>/certificate/", program.certificate_download, name="certificate"),
    path(
        "referrals/<int:pk>/certificate/revoke/",
        program.certificate_revoke,
        name="certificate_revoke",
    ),
    path("referrals/<int:pk>/reports/new/<slug:kind>/", program.report_issue, name="report_issue"),
    path("reports/<int:pk>/", program.report_download, name="report"),
    path("documents/", program.court_documents, name="court_documents"),
    path("reports/<int:pk>/replace/", program.report_replace, name="report_replace"),
]

court_urlpatterns = [
    path("referrals/<int:pk>/certificate/", program.court_certificate, name="referral_certificate"),
    path(
        "referrals/<int:pk>/reports/<int:report_pk>/", program.court_report, name="referral_report"
    ),
]

public_urlpatterns = [
    path("verify/", public.verify_form, name="verify_form"),
    path("verify/<str:code>/", public.verify, name="verify"),
    path("calendar/<str:token>.ics", public.calendar_ics, name="calendar_ics"),
]
