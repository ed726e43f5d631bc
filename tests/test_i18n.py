"""Indonesian by default, English on request, and the translation is complete."""

import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
PO = Path(__file__).resolve().parent.parent / "locale" / "id" / "LC_MESSAGES" / "django.po"


def test_indonesian_by_default_and_english_on_request(client, kadin_user):
    client.force_login(kadin_user)
    assert "Dasbor program" in client.get("/dasbor/").text
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/dasbor/"})
    assert response.status_code == 302
    html = client.get("/dasbor/").text
    assert 'lang="en"' in html
    assert "Program dashboard" in html


def test_an_english_browser_still_gets_indonesian_until_the_user_switches(client):
    response = client.get("/masuk/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="id"' in response.text


def test_language_can_be_chosen_before_signing_in(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    assert "Sign in" in client.get("/masuk/").text


def untranslated_entries(po_text: str) -> list[str]:
    """Entries (after the header) whose msgstr is empty, or fuzzy ones."""
    bad = []
    for entry in po_text.split("\n\n")[1:]:
        if "#, fuzzy" in entry:
            bad.append(entry)
            continue
        for part in re.split(r"^msgstr(?:\[\d+\])? ", entry, flags=re.M)[1:]:
            text = "".join(re.findall(r'^"(.*)"$', part, flags=re.M))
            if not text:
                bad.append(entry)
    return bad


def test_the_untranslated_check_can_fail():
    po = 'msgid ""\nmsgstr "header"\n\nmsgid "Sign in"\nmsgstr ""\n\nmsgid "x"\nmsgstr "y"\n'
    assert len(untranslated_entries(po)) == 1


def test_every_message_is_translated():
    bad = untranslated_entries(PO.read_text(encoding="utf-8"))
    assert not bad, bad[:3]


def test_the_compiled_catalogue_matches_the_source():
    """The committed .mo must be what msgfmt makes of the committed .po (no stale build)."""
    msgfmt = subprocess.run(["which", "msgfmt"], capture_output=True, text=True).stdout.strip()
    if not msgfmt:
        pytest.skip("gettext is not installed")
    out = subprocess.run(
        [msgfmt, "--check", "-o", "-", str(PO)], capture_output=True, check=True
    ).stdout
    assert out == PO.with_suffix(".mo").read_bytes()
