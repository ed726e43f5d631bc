"""Directory search on PostgreSQL: the trigger-kept search vector, Indonesian word forms
(affixes) in both directions, typos in names, prefixes, ranking; and the portable fallback."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ikm import search
from ikm.models import IKM
from ikm.search import (
    _search_substring,
    candidate_roots,
    query_words,
    related,
    search_ikm,
)
from tests.factories import IkmFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_search_caches():
    search.clear_caches()


def found(text: str) -> set[str]:
    return set(search_ikm(IKM.objects.all(), text).values_list("name", flat=True))


def make(name: str, products: str = "", materials: str = "") -> IKM:
    return IkmFactory(name=name, products=products, materials=materials)


def test_the_trigger_fills_and_refreshes_the_search_vector():
    ikm = make("CV Sinar Logam", products="bracket knalpot", materials="plat baja SPCC")
    ikm.refresh_from_db()
    vector = str(ikm.search_vector)
    assert "'sinar':2A" in vector
    assert "'knalpot':5B" in vector
    assert "'spcc':8C" in vector
    ikm.products = "velg cor"
    ikm.save()
    ikm.refresh_from_db()
    assert "velg" in str(ikm.search_vector)
    assert "knalpot" not in str(ikm.search_vector)
    IKM.objects.filter(pk=ikm.pk).update(materials="kuningan")
    ikm.refresh_from_db()
    assert "'kuning':6C" in str(ikm.search_vector)


@pytest.mark.parametrize(
    ("query", "document"),
    [
        ("pembubutan", "jasa bubut CNC poros roda"),
        ("bubut", "jasa pembubutan poros roda"),
        ("membubut", "komponen hasil bubutan"),
        ("pengelasan", "las MIG rangka jok"),
        ("las", "pengelasan rangka jok"),
        ("mengelas", "rangka dilas rapi"),
        ("komponen", "komponennya dibuat presisi"),
        ("komponennya", "komponen rem cakram"),
        ("cetakan", "mencetak karet teknik"),
        ("mencetak", "cetakan injeksi plastik"),
        ("pengecoran", "cor aluminium ADC12"),
        ("pengecoran", "tromol rem dicor"),
        ("cor", "jasa pengecoran besi"),
        ("pemesinan", "mesin CNC bubut"),
        ("mesin", "jasa pemesinan presisi"),
        ("penempaan", "tempa panas"),
        ("pelapisan", "lapis krom"),
        ("dudukan", "dudukan mesin"),
    ],
)
def test_indonesian_affixes_match_both_ways(query, document):
    make("CV Target", products=document)
    make("CV Lain", products="plastik injeksi PP, spakbor depan", materials="ABS")
    assert found(query) == {"CV Target"}


def test_typo_in_a_name_finds_it_by_trigram_similarity():
    make("CV Logam Presisi Tegal", products="poros roda")
    make("PT Karet Sentosa", products="seal karet")
    assert found("Presesi") == {"CV Logam Presisi Tegal"}
    assert found("logam presesi") == {"CV Logam Presisi Tegal"}
    assert found("Presesi poros") == {"CV Logam Presisi Tegal"}


def test_every_word_must_match():
    make("CV Satu", products="bubut poros", materials="aluminium 6061")
    make("CV Dua", products="bubut poros", materials="baja S45C")
    assert found("bubut aluminium") == {"CV Satu"}
    assert found("pembubutan baja") == {"CV Dua"}
    assert found("bubut") == {"CV Satu", "CV Dua"}


def test_the_last_word_matches_as_a_prefix_while_typing():
    make("CV Satu", materials="aluminium ingot ADC12")
    make("CV Dua", materials="baja")
    assert found("alumin") == {"CV Satu"}


def test_materials_and_accents():
    make("CV Kafe Logam", products="Café racer bracket", materials="kuningan")
    assert found("cafe") == {"CV Kafe Logam"}
    assert found("KUNINGAN") == {"CV Kafe Logam"}


def test_names_rank_above_products_and_materials():
    make("CV Pengecoran Jaya", products="tromol rem")
    make("CV Logam Abadi", products="velg dicor")
    make("CV Baja Makmur", materials="skrap untuk cor")
    ranked = list(
        search_ikm(IKM.objects.all(), "pengecoran")
        .order_by("-search_rank")
        .values_list("name", flat=True)
    )
    assert ranked[0] == "CV Pengecoran Jaya"
    assert set(ranked) == {"CV Pengecoran Jaya", "CV Logam Abadi", "CV Baja Makmur"}


def test_an_empty_or_symbol_only_query_filters_nothing():
    make("CV Satu")
    assert found("") == {"CV Satu"}
    assert found("  -- ") == {"CV Satu"}


def test_quotes_and_operators_in_the_query_are_plain_text():
    make("CV O'Brien Teknik", products="bubut")
    assert found("o'brien & | ! :* (bubut)") == {"CV O'Brien Teknik"}


def test_nothing_found_for_an_unrelated_word():
    make("CV Satu", products="bubut poros")
    assert found("karoseri") == set()


def test_query_words_are_normalised_and_bounded():
    assert query_words("  Pengecoran, ALUMINIUM; pengecoran ") == ["pengecoran", "aluminium"]
    assert query_words("Café") == ["cafe"]
    assert len(query_words(" ".join(f"kata{n}" for n in range(20)))) == 8


def test_roots_of_affixed_words():
    assert "bubut" in candidate_roots("pembubutan")
    assert "las" in candidate_roots("pengelasan")  # Sastrawi alone reads peng-kelas-an
    assert "cor" in candidate_roots("pengecoran")
    assert "cetak" in candidate_roots("cetakan")
    assert candidate_roots("s45c") == {"s45c"}


def test_related_stems_keep_the_root_and_drop_unrelated_words():
    assert related("pesin", "mesin")  # PostgreSQL's stem of "pemesinan"
    assert related("elas", "las")
    assert related("ceta", "cetak")
    assert not related("sini", "mesin")  # "mesini", a form that does not exist
    assert not related("lasan", "kelas")


def test_the_portable_fallback_matches_substrings_and_roots():
    make("CV Satu", products="jasa bubut poros")
    make("CV Dua", products="seal karet")
    names = set(
        _search_substring(IKM.objects.all(), query_words("pembubutan")).values_list(
            "name", flat=True
        )
    )
    assert names == {"CV Satu"}


def test_a_word_first_seen_as_a_typo_is_found_once_an_ikm_uses_it():
    make("CV Satu", products="bubut")
    assert found("xylofon") == set()  # nothing matches, not even by name
    make("CV Musik", products="xylofon mainan")
    assert found("xylofon") == {"CV Musik"}  # a "no" is never kept


def test_stems_and_matches_are_kept_between_searches():
    make("CV Satu", products="jasa pembubutan poros")
    with CaptureQueriesContext(connection) as first:
        assert found("bubut") == {"CV Satu"}
    with CaptureQueriesContext(connection) as second:
        assert found("bubut") == {"CV Satu"}
    assert len(first.captured_queries) == len(second.captured_queries) + 2
    search.clear_caches()
    with CaptureQueriesContext(connection) as third:
        found("bubut")
    assert len(third.captured_queries) == len(first.captured_queries)
