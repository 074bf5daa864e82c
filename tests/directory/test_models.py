from datetime import UTC, datetime, time

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from directory import demo
from directory.models import Agency, Court, Program, Region, ServiceLanguage, SupportService
from tests.factories import AgencyFactory, SupportServiceFactory

pytestmark = pytest.mark.django_db


def _refused_by_database(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyFactory(**fields)


def test_only_an_indigenous_led_agency_can_offer_ipiv(east):
    _refused_by_database(region=east, programs=[Program.IPIV], indigenous_led=False)
    assert AgencyFactory(region=east, programs=[Program.IPIV], indigenous_led=True).pk


def test_an_agency_offers_at_least_one_known_program(east):
    _refused_by_database(region=east, programs=[])
    _refused_by_database(region=east, programs=["yoga"])


def test_an_agency_serves_in_at_least_one_known_language(east):
    _refused_by_database(region=east, languages=[])
    _refused_by_database(region=east, languages=["klingon"])


def test_postal_code_must_be_ontarian_in_canonical_form(east):
    _refused_by_database(region=east, postal_code="H2X 1Y4")  # Montréal, Quebec
    _refused_by_database(region=east, postal_code="k1p5j3")


def test_full_clean_explains_the_ipiv_rule_in_french(east, french):
    agency = AgencyFactory.build(region=east, programs=[Program.IPIV], indigenous_led=False)
    with pytest.raises(ValidationError) as error:
        agency.full_clean()
    assert "Seul un organisme dirigé par des Autochtones" in str(error.value)


def test_a_shelter_address_is_never_stored(east):
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportServiceFactory(
            region=east, kind=SupportService.Kind.SHELTER, street_address="12 Hidden Lane"
        )
    assert SupportServiceFactory(region=east, kind=SupportService.Kind.SHELTER).pk


def test_bilingual_fields_follow_the_active_language(east):
    agency = AgencyFactory(region=east, name_fr="Maison Soleil", name_en="Sun House")
    with translation.override("fr"):
        assert agency.name == "Maison Soleil"
        assert str(east) == "Est"
    with translation.override("en"):
        assert agency.name == "Sun House"


def test_a_missing_translation_falls_back_to_the_other_language(east, english):
    agency = AgencyFactory(region=east, description_fr="Seulement en français", description_en="")
    assert agency.description == "Seulement en français"


def test_search_text_is_folded_by_the_database(east):
    agency = AgencyFactory(
        region=east, name_fr="Œuvre ÉCOLE Montréal", name_en="Plain", city="Lévis"
    )
    agency.refresh_from_db()
    assert "ecole montreal" in agency.search_text
    assert "levis" in agency.search_text


def test_demo_data_is_valid_and_loading_it_twice_changes_nothing():
    demo.load()
    counts = [Model.objects.count() for Model in (Region, Court, Agency, SupportService)]
    demo.load()
    assert [Model.objects.count() for Model in (Region, Court, Agency, SupportService)] == counts
    assert counts == [8, 1, 2, 12]
    for Model in (Region, Court, Agency, SupportService):
        for row in Model.objects.all():
            row.full_clean()
    assert Agency.objects.get(slug="lakehead-healing").programs == [Program.IPIV, Program.IPV]
    assert ServiceLanguage.FRENCH in Agency.objects.get(slug="riviere-des-outaouais").languages


@pytest.mark.parametrize("hour", [8, 17, 20])
def test_the_agency_hours_pass_the_checks_at_the_very_time_they_default_to(hour):
    """A fixed time default makes Django warn (fields.W161) within ten seconds of that time of
    day; the defaults are functions, so `check --fail-level WARNING` passes at any moment."""
    from django.core import checks

    at = datetime(2026, 12, 1, hour, 0, 3, tzinfo=UTC)  # Django compares in UTC
    with time_machine.travel(at, tick=False):
        found = [issue.id for issue in checks.run_checks() if issue.id.startswith("fields.")]
    assert found == []
    assert (Agency().quiet_hours_start, Agency().quiet_hours_end) == (time(8), time(20))
    assert Agency().session_reminder_time == time(17)
