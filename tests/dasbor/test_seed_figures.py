"""The figures KADIN reported on 10 Nov 2022, as the demo loads them: through the API and on
the page, for the demo KADIN admin."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_seed_figures_through_the_api_and_on_the_page(client):
    call_command("seed_demo", verbosity=0)
    client.force_login(get_user_model().objects.get(username="admin.kadin"))

    data = client.get("/api/v1/dashboard/summary/").json()
    assert data["scope"] == "program"
    assert data["computed_at"] is not None
    assert data["market_access_per_year"] == 100_000_000_000
    assert data["akad_signed_count"] == 10
    assert data["akad_signed_amount"] == 24_000_000_000
    assert data["akad_pipeline_count"] == 24
    assert data["akad_pipeline_amount"] == 82_000_000_000

    response = client.get("/dasbor/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Rp100 miliar/tahun" in content
    assert "10 akad · Rp24 miliar" in content
    assert "24 akad dalam proses · Rp82 miliar" in content
