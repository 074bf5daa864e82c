"""The agency's Figures page: who reads which half, and the period they ask for."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_manager_reads_the_referrals_received_with_their_definition(client, world):
    client.force_login(world["manager"])
    response = client.get(f"/en/a/{world.agency.slug}/figures/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Referrals received" in page
    assert "Referrals that arrived in the period" in page
    assert f"/en/a/{world.agency.slug}/figures/cases/received/?period=custom" in page


def test_a_period_ending_after_today_is_refused_and_kept_as_typed(client, world):
    client.force_login(world["manager"])
    response = client.get(
        f"/en/a/{world.agency.slug}/figures/?period=custom&start=2026-01-01&end=9999-12-31"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The period cannot end after today." in page
    assert 'value="9999-12-31"' in page
    assert "Referrals received" not in page
