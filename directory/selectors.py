"""Reads of the public directory: only published agencies and services ever leave here."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from directory.models import Agency, Region, SupportService
from ipv.core.i18n import current_language
from ipv.core.search import by_name


def _by_name(queryset: QuerySet) -> QuerySet:
    """Alphabetical in the active language's order (École among the E's)."""
    return queryset.order_by(*by_name(f"name_{current_language()}"), "pk")


def agencies_published() -> QuerySet[Agency]:
    """Published agencies with what a list shows, ordered by name."""
    return _by_name(Agency.objects.published().select_related("region"))


def agency_get_published(*, slug: str) -> Agency:
    """One published agency with its courts, or 404."""
    queryset = Agency.objects.published().select_related("region").prefetch_related("courts")
    return get_object_or_404(queryset, slug=slug)


def services_published() -> QuerySet[SupportService]:
    """Published support services, ordered by name."""
    return _by_name(SupportService.objects.published().select_related("region"))


def directory_summary() -> dict:
    """Counts for the home page: published agencies and services, regions."""
    return {
        "agencies": Agency.objects.published().count(),
        "services": SupportService.objects.published().count(),
        "regions": Region.objects.all(),
    }
