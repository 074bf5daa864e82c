"""What a stranger may send to the figures' pages: a quarter of year 0, a row value that is
no code, the broker down under a long export — each answered, never a server error; and the
province's roll-up hiding what two small cells together would give away."""

from datetime import date

import pytest
from kombu.exceptions import OperationalError

from ipv.figures import rollup, tasks
from ipv.figures.models import Export
from ipv.figures.periods import Period
from ipv.figures.sections.flow import RECEIVED
from tests.conftest import make_world
from tests.factories import AgencyFactory
from tests.figures.making import many

QUERY = "period=custom&start=2026-07-01&end=2026-09-30"
Q3 = Period(date(2026, 7, 1), date(2026, 9, 30))


@pytest.mark.django_db
@pytest.mark.parametrize("asked", ["0000-1", "1999-4", "2026-0", "9999-9"])
def test_a_quarter_out_of_bounds_is_refused_with_its_message(client, world, asked):
    client.force_login(world["manager"])
    response = client.get(
        f"/en/a/{world.agency.slug}/figures/report/?quarter={asked}&format=xlsx&language=fr"
    )
    assert response.status_code == 400
    # Positive control: a quarter in bounds is a file.
    fine = client.get(
        f"/en/a/{world.agency.slug}/figures/report/?quarter=2026-3&format=csv&language=en"
    )
    assert fine.status_code == 200 and fine["Content-Type"].startswith("text/csv")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "by"),
    [("received_by_court", "²"), ("received_by_source", "%00"), ("received_by_court", "9" * 30)],
)
@pytest.mark.parametrize("download", ["", "download/"])
def test_a_row_value_that_is_no_code_names_no_row(client, world, key, by, download):
    client.force_login(world["intake"])
    base = f"/en/a/{world.agency.slug}/figures/cases/{key}/{download}"
    assert client.get(f"{base}?format=csv&{QUERY}&by={by}").status_code == 404
    court = world.court.pk if key == "received_by_court" else "court"
    assert client.get(f"{base}?format=csv&{QUERY}&by={court}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_long_export_asked_while_the_broker_is_down_waits_for_the_periodic_job(
    client, settings, monkeypatch
):
    world = make_world()
    many(3, world.agency, world.court, date(2026, 8, 3))
    settings.FIGURES_EXPORT_IN_REQUEST = 1

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.build_export, "delay", broker_down)
    client.force_login(world["intake"])
    response = client.get(
        f"/en/a/{world.agency.slug}/figures/cases/received/download/?format=csv&{QUERY}"
    )
    export = Export.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/exports/{export.pk}/")
    assert export.state == Export.State.QUEUED


@pytest.mark.django_db
def test_two_small_cells_that_would_add_up_to_the_rest_of_a_region_are_hidden_with_another(
    world, english
):
    """East: River 20, Alpha 1, Beta 1 (total 22). Shown, 22 − 20 would tell that Alpha and
    Beta have one each: River is hidden too."""
    east = world.agency.region
    alpha = AgencyFactory(slug="alpha", name_en="Alpha", name_fr="Alpha", region=east)
    beta = AgencyFactory(slug="beta", name_en="Beta", name_fr="Beta", region=east)
    many(20, world.agency, world.court, date(2026, 8, 3))
    many(1, alpha, world.court, date(2026, 8, 3))
    many(1, beta, world.court, date(2026, 8, 3))
    many(9, world.other_agency, world.other_court, date(2026, 8, 3))
    regions = {r.region.pk: r for r in rollup.by_region(RECEIVED, Q3, Q3.previous())}
    shown = {a.label: a.current for a in regions[east.pk].agencies}
    assert shown == {"Alpha": "< 5", "Beta": "< 5", "River Services": "hidden"}
    # Positive control: the other region, with nothing small, shows its count.
    assert [a.current for a in regions[world.other_agency.region_id].agencies] == [9]
