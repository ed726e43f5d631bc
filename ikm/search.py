"""Free-text search over IKM names, products and materials.

PostgreSQL (the platform's database):

- Documents. ``IKM.search_vector`` is kept by a database trigger (migration 0005):
  ``to_tsvector('indonesian', …)`` of the name (weight A), products (B) and materials (C),
  accents removed. GIN-indexed. Nothing in Python writes it.
- Queries. PostgreSQL's ``indonesian`` stemmer (Snowball) strips affixes only from long
  words and sometimes wrongly: ``pengelasan`` → ``elas`` but ``las`` → ``las`` and
  ``dilas`` → ``dilas``; ``cetakan`` → ``ceta`` but ``mencetak`` → ``cetak``. So each query
  word is expanded before it meets the index:

  1. its roots: the word itself, its Sastrawi stem (a dictionary-based Indonesian stemmer:
     ``pembubutan`` → ``bubut``) and, because Sastrawi reads ``pengelasan`` as
     ``peng-kelas-an``, the roots of ``penge-``/``menge-`` words with a one-syllable root
     (``las``, ``cor``, ``cat``) when the dictionary knows them;
  2. the common inflections of each root (``di-``, ``ter-``, ``ber-``, ``meN-``, ``peN-…-an``
     with nasal assimilation, ``-an``, ``-kan``, ``-nya``, ``ke-…-an``);
  3. each inflection stemmed by PostgreSQL itself (one small query, answers kept per
     process), keeping the stems that still resemble the root (so ``memesin`` → ``pesin``
     stays, a nonsense form that stems to an unrelated word such as ``sini`` is dropped).

  The word matches when the document holds any of those stems: the query is stemmed the way
  the documents were, whatever the stemmer did to them. Words are ANDed. When its stems
  match nothing, the last word also matches as a prefix (typing "alumin" finds "aluminium").
- Typos in names. A word whose stems match no IKM at all (one small query per search,
  ``ikm_search_matches_any``) is looked for in names by trigram word similarity instead:
  ``word <% name`` (pg_trgm word similarity ≥ 0.6, GIN trigram index on ``name``), so
  "Presesi" finds "Presisi". Each query word must match one way or the other. Deciding per
  word keeps both conditions on their GIN indexes (``vector @@ q OR w <% name`` made
  PostgreSQL compute the similarity for every row: 360 ms at 100,000 IKM).
- Rank. ``ts_rank`` over the indexed words' stems (name hits weigh most) plus the trigram
  word similarity of the misspelt words to the name.

Other databases (SQLite for ``make run``): each word, or one of its roots, must occur in the
name, products or materials (case-insensitive substring).
"""

import re
import time
import unicodedata
from functools import cache

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connections
from django.db.models import F, FloatField, Q, Value
from django.db.models.functions import Coalesce

MAX_WORDS = 8
MAX_WORD_LENGTH = 40
MIN_ROOT_LENGTH = 3
MIN_PREFIX_LENGTH = 4
MIN_TRIGRAM_LENGTH = 4
TSQUERY_CONFIG = "simple"  # the lexemes are stemmed already: match them as they are
STEM_CACHE_SIZE = 50_000
MATCH_CACHE_SIZE = 10_000
MATCH_CACHE_SECONDS = 600

# Per process: form -> PostgreSQL's stems; (database, tsquery) -> "matches" valid until.
_stem_cache: dict[str, frozenset[str]] = {}
_match_cache: dict[tuple[str, str], float] = {}

_VOWELS = frozenset("aeiou")
_WORD = re.compile(r"[0-9a-z]+")
_ALPHA = re.compile(r"[a-z]+")
_SUFFIXES = ("annya", "kannya", "nya", "kan", "an", "i")


def normalise(text: str) -> str:
    """Lower case without accents ("Café" → "cafe")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def query_words(text: str) -> list[str]:
    """The distinct words of a query, in order, at most MAX_WORDS of them."""
    words: list[str] = []
    for word in _WORD.findall(normalise(text)):
        word = word[:MAX_WORD_LENGTH]
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


@cache
def _sastrawi():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    factory = StemmerFactory()
    return factory.create_stemmer(), frozenset(factory.get_words())


def _syllables(word: str) -> int:
    count, previous = 0, False
    for ch in word:
        vowel = ch in _VOWELS
        if vowel and not previous:
            count += 1
        previous = vowel
    return count


def candidate_roots(word: str) -> set[str]:
    """The roots a word may be an inflection of (the word itself when it is a root, or a
    word Sastrawi does not know)."""
    if not _ALPHA.fullmatch(word) or len(word) < MIN_ROOT_LENGTH:
        return {word}
    stemmer, dictionary = _sastrawi()
    stem = stemmer.stem(word)
    roots = {stem if len(stem) >= MIN_ROOT_LENGTH else word}
    # peN-/meN- before a one-syllable root is "penge-"/"menge-": pengelasan = penge-las-an.
    for prefix in ("penge", "menge"):
        if word.startswith(prefix):
            rest = word[len(prefix) :]
            for suffix in ("", *_SUFFIXES):
                if suffix and not rest.endswith(suffix):
                    continue
                root = rest[: len(rest) - len(suffix)]
                if len(root) >= MIN_ROOT_LENGTH and _syllables(root) == 1 and root in dictionary:
                    roots.add(root)
    return roots


def _nasal(root: str, base: str) -> set[str]:
    """meN-/peN- + a root of two or more syllables, with nasal assimilation (base "me" or
    "pe"): mencetak, pembubutan, penempaan, penyambungan, pengeboran."""
    first, second = root[0], root[1:2]
    if first in _VOWELS or first in "gh":
        return {f"{base}ng{root}"}
    if first == "k":
        return {f"{base}ng{root[1:]}" if second in _VOWELS else f"{base}ng{root}"}
    if first in "bfv":
        return {f"{base}m{root}"}
    if first == "p":
        return {f"{base}m{root[1:]}" if second in _VOWELS else f"{base}m{root}"}
    if first in "dcjz":
        return {f"{base}n{root}"}
    if first == "t":
        return {f"{base}n{root[1:]}" if second in _VOWELS else f"{base}n{root}"}
    if first == "s":
        return {f"{base}ny{root[1:]}" if second in _VOWELS else f"{base}n{root}"}
    return {f"{base}{root}"}


def surface_forms(root: str) -> set[str]:
    """Common inflections of a root word. One-syllable roots take ``menge-``/``penge-``
    (mengelas, pengecoran) and rarely ``ber-``/``ter-``; fewer forms keep the query short."""
    if not _ALPHA.fullmatch(root) or len(root) < MIN_ROOT_LENGTH:
        return {root}
    forms = {root, f"{root}an", f"{root}kan", f"{root}nya", f"di{root}", f"di{root}kan"}
    if _syllables(root) == 1:
        return forms | {f"menge{root}", f"menge{root}kan", f"penge{root}", f"penge{root}an"}
    forms |= {f"ter{root}", f"ber{root}", f"ke{root}an"}
    for verb in _nasal(root, "me"):
        forms |= {verb, f"{verb}kan"}
    for noun in _nasal(root, "pe"):
        forms |= {noun, f"{noun}an"}
    return forms


def _longest_common_substring(a: str, b: str) -> int:
    best = 0
    previous = [0] * (len(b) + 1)
    for ch_a in a:
        current = [0] * (len(b) + 1)
        for j, ch_b in enumerate(b, start=1):
            if ch_a == ch_b:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def related(lexeme: str, root: str) -> bool:
    """Whether a stem PostgreSQL made of an inflection still resembles the root."""
    return _longest_common_substring(lexeme, root) >= max(MIN_ROOT_LENGTH, len(root) - 1)


def postgres_stems(forms: set[str], using: str = "default") -> dict[str, set[str]]:
    """How PostgreSQL's ``indonesian`` configuration stems each form (one query for the
    forms not seen before: the stemmer is deterministic, so answers are kept)."""
    missing = sorted(form for form in forms if form not in _stem_cache)
    if missing:
        if len(_stem_cache) > STEM_CACHE_SIZE:
            _stem_cache.clear()
        found: dict[str, set[str]] = {form: set() for form in missing}
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT f.form, l.lexeme FROM unnest(%s::text[]) AS f(form), "
                "unnest(to_tsvector('indonesian', f.form)) AS l",
                [missing],
            )
            for form, lexeme in cursor.fetchall():
                found[form].add(lexeme)
        _stem_cache.update({form: frozenset(lexemes) for form, lexemes in found.items()})
    return {form: set(_stem_cache.get(form, ())) for form in forms}


def word_lexemes(words: list[str], using: str = "default") -> list[tuple[set[str], set[str]]]:
    """For each query word: the stems PostgreSQL gives the word itself, and all the index
    lexemes that count as a match for it."""
    plan = []
    all_forms: set[str] = set()
    for word in words:
        by_root = {root: surface_forms(root) | {root} for root in candidate_roots(word)}
        plan.append((word, by_root))
        all_forms.add(word)
        for forms in by_root.values():
            all_forms |= forms
    stems = postgres_stems(all_forms, using)
    result = []
    for word, by_root in plan:
        own = set(stems.get(word, ()))
        lexemes = set(own)
        for root, forms in by_root.items():
            lexemes |= stems.get(root, set())
            for form in forms:
                lexemes |= {lex for lex in stems.get(form, ()) if related(lex, root)}
        result.append((own, lexemes))
    return result


def tsquery_group(lexemes: set[str], prefix: str | None = None) -> str:
    """``('a' | 'b' | 'c':*)``: any of the lexemes, or words starting with ``prefix``."""
    terms = [f"'{lexeme}'" for lexeme in sorted(lexemes)]
    if prefix:
        terms.append(f"'{prefix}':*")
    return "(" + " | ".join(terms) + ")" if terms else ""


def indexed(queries: list[str], queryset) -> list[bool]:
    """Whether each tsquery matches at least one IKM at all (one query for the answers
    not known yet). The database function ``ikm_search_matches_any`` (migration 0005)
    answers from the GIN index even when nothing matches, where a plain EXISTS would read
    the whole table; for a common word the index scan costs a few milliseconds, so a
    "yes" is kept for a while (MATCH_CACHE_SECONDS). A "no" is never kept: the next IKM
    registered may use the word."""
    database = connections[queryset.db].settings_dict["NAME"]
    now = time.monotonic()
    answers = {q: True for q in queries if _match_cache.get((database, q), 0) > now}
    missing = [q for q in dict.fromkeys(queries) if q not in answers]
    if missing:
        placeholders = ", ".join(
            ["ikm_search_matches_any(to_tsquery('simple', %s))"] * len(missing)
        )
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"SELECT {placeholders}", missing)
            answers.update(zip(missing, cursor.fetchone(), strict=True))
        if len(_match_cache) > MATCH_CACHE_SIZE:
            _match_cache.clear()
        for q in missing:
            if answers[q]:
                _match_cache[(database, q)] = now + MATCH_CACHE_SECONDS
    return [answers[q] for q in queries]


def clear_caches() -> None:
    """Forget the kept stems and matches (tests)."""
    _stem_cache.clear()
    _match_cache.clear()


def _raw_query(text: str) -> SearchQuery:
    return SearchQuery(text, config=TSQUERY_CONFIG, search_type="raw")


def search_ikm(queryset, text: str):
    """``queryset`` narrowed to the IKM matching ``text``; on PostgreSQL annotated with
    ``search_rank`` (higher is better). An empty query leaves the queryset as it is."""
    words = query_words(text)
    if not words:
        return queryset
    if connections[queryset.db].vendor != "postgresql":
        return _search_substring(queryset, words)
    analysed = word_lexemes(words, queryset.db)
    # Each word's candidates, best first: its stems; for the last word, which may be
    # unfinished ("alumin"), also its own stem as a prefix, used only when the stems
    # match nothing (a prefix term makes the query slower and its estimates worse).
    candidates = []
    for index, (word, (own, lexemes)) in enumerate(zip(words, analysed, strict=True)):
        options = [tsquery_group(lexemes) or "''"]
        if index == len(words) - 1 and len(word) >= MIN_PREFIX_LENGTH and _ALPHA.fullmatch(word):
            options.append(tsquery_group(set(), min(own, key=len) if own else word))
        candidates.append(options)
    flat = [option for options in candidates for option in options]
    found = dict(zip(flat, indexed(flat, queryset), strict=True))
    condition = Q()
    ranked_groups, typos = [], []
    for word, options in zip(words, candidates, strict=True):
        group = next((option for option in options if found[option]), None)
        if group is not None:
            condition &= Q(search_vector=_raw_query(group))
            ranked_groups.append(group)
        elif len(word) >= MIN_TRIGRAM_LENGTH and _ALPHA.fullmatch(word):
            condition &= Q(name__trigram_word_similar=word)
            typos.append(word)
        else:
            return queryset.none()
    rank = Value(0.0, output_field=FloatField())
    if ranked_groups:
        rank = Coalesce(
            SearchRank(F("search_vector"), _raw_query(" | ".join(ranked_groups))),
            Value(0.0),
            output_field=FloatField(),
        )
    if typos:
        rank = rank + TrigramWordSimilarity(" ".join(typos), "name")
    return queryset.filter(condition).annotate(search_rank=rank)


def _search_substring(queryset, words: list[str]):
    """The portable fallback: every word (or one of its roots) somewhere in the text."""
    condition = Q()
    for word in words:
        matches = Q()
        for root in candidate_roots(word):
            matches |= (
                Q(name__icontains=root) | Q(products__icontains=root) | Q(materials__icontains=root)
            )
        condition &= matches
    return queryset.filter(condition)
