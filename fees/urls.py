"""Fee pages, mounted under /<lang>/a/<agency_slug>/ in the "agency" namespace."""

from django.urls import path

from fees import views

agency_urlpatterns = [
    path("fees/", views.overview, name="fees"),
    path("fees/export/<slug:kind>.csv", views.export, name="fees_export"),
    path(
        "fees/export/<slug:kind>.xlsx",
        views.export,
        {"file_format": "xlsx"},
        name="fees_export_xlsx",
    ),
    path("fees/schedule/", views.schedule, name="fee_schedule"),
    path("fees/schedule/new/", views.schedule_new, name="fee_schedule_new"),
    path("fees/proposals/<int:pk>/", views.decide, name="fee_decide"),
    path("fees/receipts/<int:pk>/", views.receipt, name="fee_receipt"),
    path("fees/receipts/<int:pk>/void/", views.void, name="fee_void"),
    path("fees/receipts/<int:pk>/refund/", views.refund, name="fee_refund"),
    path("referrals/<int:pk>/fees/", views.referral_fees, name="referral_fees"),
    path("referrals/<int:pk>/fees/assess/", views.assess, name="fee_assess"),
    path("referrals/<int:pk>/fees/propose/", views.propose, name="fee_propose"),
    path("referrals/<int:pk>/fees/instalments/", views.instalments, name="fee_instalments"),
    path("referrals/<int:pk>/fees/payment/", views.payment, name="fee_payment"),
]
