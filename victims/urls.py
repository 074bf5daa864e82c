"""The outreach workspace, and the case team's two doors to it: a concern raised, a risk alert
seen; someone the participant names later. Mounted under /<lang>/a/<agency_slug>/ in the
"agency" namespace."""

from django.urls import path

from victims.views import concerns, documents, home, naming, people, plans, referrals, tasks

agency_urlpatterns = [
    path("outreach/", home.outreach_home, name="outreach_home"),
    path(
        "outreach/referrals/<int:referral>/",
        referrals.outreach_referral,
        name="outreach_referral",
    ),
    path(
        "outreach/referrals/<int:referral>/assign/",
        referrals.outreach_assign,
        name="outreach_assign",
    ),
    path(
        "outreach/referrals/<int:referral>/people/new/",
        referrals.outreach_person_new,
        name="outreach_person_new",
    ),
    path(
        "outreach/referrals/<int:referral>/alert/",
        referrals.outreach_alert,
        name="outreach_alert",
    ),
    path("outreach/people/<int:pk>/", people.outreach_person, name="outreach_person"),
    path(
        "outreach/people/<int:pk>/edit/", people.outreach_person_edit, name="outreach_person_edit"
    ),
    path("outreach/people/<int:pk>/rules/", people.outreach_rules, name="outreach_rules"),
    path("outreach/people/<int:pk>/consent/", people.outreach_consent, name="outreach_consent"),
    path(
        "outreach/people/<int:pk>/contacts/new/", people.outreach_contact, name="outreach_contact"
    ),
    path(
        "outreach/people/<int:pk>/safety/<slug:moment>/",
        people.outreach_safety_view,
        name="outreach_safety_view",
    ),
    path("outreach/people/<int:pk>/close/", people.outreach_close, name="outreach_close"),
    path("outreach/people/<int:pk>/reopen/", people.outreach_reopen, name="outreach_reopen"),
    path("outreach/people/<int:pk>/plan/", plans.outreach_plan, name="outreach_plan"),
    path(
        "outreach/people/<int:pk>/plan/<int:number>/",
        plans.outreach_plan_version,
        name="outreach_plan_version",
    ),
    path(
        "outreach/people/<int:pk>/plan/<int:number>/pdf/",
        documents.outreach_plan_pdf,
        name="outreach_plan_pdf",
    ),
    path(
        "outreach/people/<int:pk>/letters/<slug:kind>/",
        documents.outreach_letter,
        name="outreach_letter",
    ),
    path("outreach/people/<int:pk>/tasks/new/", tasks.outreach_task_add, name="outreach_task_add"),
    path("outreach/tasks/<int:pk>/done/", tasks.outreach_task_done, name="outreach_task_done"),
    path(
        "outreach/tasks/<int:pk>/assign/", tasks.outreach_task_assign, name="outreach_task_assign"
    ),
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
