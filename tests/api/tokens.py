"""Issuing tokens in tests, as the admin does (ipv.api.tokens.token_issue)."""

from datetime import timedelta

from django.utils import timezone

from ipv.api.models import ApiToken
from ipv.api.tokens import token_issue

ALL_SCOPES = ["referrals:read", "documents:read", "referrals:send"]


def issue(officer, courts, *, scopes=ALL_SCOPES, expired=False, revoked=False, kind="liaison"):
    """A token's secret, for `officer` and `courts`: live unless expired or revoked."""
    token = ApiToken(
        kind=kind,
        name=f"Test token for {officer.email}",
        officer=officer,
        scopes=list(scopes),
        expires_at=timezone.now() + timedelta(days=30),
    )
    raw = token_issue(token=token, by=None, courts=courts)
    if expired:
        # Made a month ago, for a week: the database keeps expiry after creation.
        ApiToken.objects.filter(pk=token.pk).update(
            created_at=timezone.now() - timedelta(days=30),
            expires_at=timezone.now() - timedelta(days=23),
        )
    if revoked:
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    return raw


def bearer(raw, **headers):
    """The test client's keyword arguments for a call with the token `raw`."""
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}", **extra}
