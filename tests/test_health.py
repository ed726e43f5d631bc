"""/health/ for monitors and deployments: no sign-in, JSON or HTML, 500 when a check fails."""

import pytest

pytestmark = pytest.mark.django_db


def test_health_without_a_broker_checks_database_and_redis(client):
    response = client.get("/health/?format=json")
    assert response.status_code == 200
    checks = response.json()
    assert any("Database" in name for name in checks)
    assert any("Redis" in name for name in checks)
    # Tasks run in-process here (eager), so no worker is expected.
    assert not any("Ping" in name for name in checks)


def test_health_page_renders_for_a_browser(client):
    response = client.get("/health/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "Database" in response.text


def test_health_fails_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/?format=json")
    assert response.status_code == 500
    assert any(value != "OK" for value in response.json().values())
