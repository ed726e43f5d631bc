"""Every page except login (and the public health probe) needs a signed-in user."""

import itertools
import re

import pytest
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

pytestmark = pytest.mark.django_db

# Reachable without signing in, on purpose.
PUBLIC = {"/masuk/", "/health/", "/i18n/setlang/", "/admin/login/"}

# Values tried for URL parameters until the path resolves ("32.16" for a regency code,
# "json" for a format suffix, ...).
CANDIDATES = ["1", "32.16", "32", "stamping", "ikm", "MQ", "00000000-0000-0000-0000-000000000001"]


def fill(path: str) -> str | None:
    """The path with parameters replaced by values that make it resolve, or None."""
    names = re.findall(r"<(\w+)>", path)
    choices = [["json", ".json"] if name == "format" else CANDIDATES for name in names]
    for values in itertools.product(*choices):
        filled = path
        for value in values:
            filled = re.sub(r"<\w+>", value, filled, count=1)
        try:
            resolve(filled)
        except Resolver404:
            continue
        return filled
    return None


def concrete_paths(resolver=None, prefix=""):
    """Every URL of the project with sample values in place of its parameters."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from concrete_paths(entry, pattern)
        elif isinstance(entry, URLPattern):
            path = pattern.replace("^", "").replace("$", "").replace("\\Z", "")
            path = path.replace("\\.", ".").replace("/?", "/")
            path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", path)
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", path)
            filled = fill("/" + path)
            assert filled is not None, f"no sample values make {path} resolve"
            yield filled


def test_every_url_is_covered():
    paths = set(concrete_paths())
    assert {"/", "/ikm/", "/kemitraan/kebutuhan/", "/pembiayaan/akad/", "/dasbor/"} <= paths
    assert {"/api/v1/me/", "/api/schema/", "/api/docs/", "/admin/"} <= paths


@pytest.mark.parametrize("path", sorted(set(concrete_paths()) - PUBLIC))
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code in (401, 403), path
    else:
        assert response.status_code == 302, path
        assert "/masuk/" in response["Location"] or "/admin/login/" in response["Location"], path


def test_login_page_is_public_and_indonesian(client):
    response = client.get("/masuk/")
    assert response.status_code == 200
    assert 'lang="id"' in response.text
    assert "Masuk" in response.text
