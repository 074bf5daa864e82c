"""Outreach pages, mounted under /<lang>/a/<agency_slug>/ in the "agency" namespace."""

from django.urls import path

from victims.views import documents

agency_urlpatterns = [
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
]
