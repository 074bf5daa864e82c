"""Tenancy: each agency's data is reached under /<lang>/a/<agency_slug>/ by its members only.

ipv.accounts.tenancy.AgencyMiddleware resolves the agency from the URL and the person's roles
in it; selectors then read through `scoped()` / `get_scoped_or_404()`, so another agency's
object answers 404.
"""

from django.db import models
from django.shortcuts import get_object_or_404


def scoped(model_or_queryset, agency: models.Model, *, via: str = "agency") -> models.QuerySet:
    """Rows of `agency` only. Every agency-owned model has its own `agency` foreign key; a
    row shared by two agencies (a transfer) names the other one in `via`."""
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, models.QuerySet)
        else model_or_queryset._default_manager.all()
    )
    return queryset.filter(**{via: agency})


def get_scoped_or_404(model_or_queryset, *, agency: models.Model, via: str = "agency", **lookup):
    """One row of `agency`, or 404 — also when it exists in another agency."""
    return get_object_or_404(scoped(model_or_queryset, agency, via=via), **lookup)
