"""Search forms of the public directory (django-filter).

An invalid value (an unknown region, an over-long search) is reported next to its field and
left out of the search; the other criteria still apply and what was typed stays in the form.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Agency, Program, Region, ServiceLanguage, SupportService
from ipv.core.search import Unaccented, unaccented

TEXT_MAX_LENGTH = 100


def search_text(queryset, name, value):
    """Every word typed must appear, accents and case aside."""
    for word in value.split():
        queryset = queryset.filter(search_text__contains=unaccented(word))
    return queryset


def city_starts_with(queryset, name, value):
    return queryset.alias(city_folded=Unaccented("city")).filter(
        city_folded__startswith=unaccented(value.strip())
    )


def offers_language(queryset, name, value):
    return queryset.filter(languages__contains=[value])


class DirectoryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Keywords"),
        method=search_text,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Name, city or keyword. Accents are optional."),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        to_field_name="slug",
        empty_label=_("All regions"),
    )
    city = django_filters.CharFilter(
        label=_("City"), method=city_starts_with, max_length=TEXT_MAX_LENGTH
    )
    language = django_filters.ChoiceFilter(
        label=_("Language of service"),
        choices=ServiceLanguage.choices,
        method=offers_language,
        empty_label=_("Any language"),
    )

    class Meta:
        fields: list[str] = []


class AgencyFilter(DirectoryFilter):
    program = django_filters.ChoiceFilter(
        label=_("Program"),
        choices=Program.choices,
        method="offers_program",
        empty_label=_("Any program"),
    )

    class Meta(DirectoryFilter.Meta):
        model = Agency

    def offers_program(self, queryset, name, value):
        return queryset.filter(programs__contains=[value])


class SupportServiceFilter(DirectoryFilter):
    kind = django_filters.ChoiceFilter(
        label=_("Type of service"),
        choices=SupportService.Kind.choices,
        empty_label=_("All types"),
    )
    open_24h = django_filters.BooleanFilter(
        label=_("Open 24 hours"),
        widget=forms.CheckboxInput,
        method="only_open_24h",
    )

    class Meta(DirectoryFilter.Meta):
        model = SupportService

    def only_open_24h(self, queryset, name, value):
        return queryset.filter(open_24h=True) if value else queryset
