"""Text of needs and suppliers, made comparable: normalise, tokenise, map synonyms,
stem (Sastrawi), weigh (TF-IDF).

One pipeline for both sides, so a buyer's "tromol alumunium" meets a supplier's "brake drum
aluminium": both become the tokens ``tromol`` and ``aluminium``.

1. Lower case, accents removed, every run of letters and digits a word ("60rb", "adc12").
2. Within each phrase (punctuation ends one), the words and phrases of the domain synonym
   list (:mod:`.synonyms`) become their canonical token, longest phrase first ("kabel
   bodi" and "wiring harness" → ``wireharness``).
3. Stop words and quantities ("60rb", "500pcs") go; the rest is stemmed with Sastrawi
   ("pembubutan" → "bubut"), and a stem that is itself a synonym is mapped too
   ("knalpotnya" → "knalpot").
4. TF-IDF: term frequency ``1 + ln(count)``, inverse document frequency
   ``ln((1 + N) / (1 + df)) + 1`` over the suppliers' documents, vectors of unit length;
   terms in more than half of the documents are left out (from 50 documents on).
   Cosine similarity is then a dot product.
"""

import math
import re
import unicodedata
from collections import Counter
from functools import lru_cache

from .synonyms import STOPWORDS, SYNONYMS

WORD_RE = re.compile(r"[a-z0-9]+")
# A number with a short unit ("60rb", "500pcs", "12v"): a quantity, not a product word.
QUANTITY_RE = re.compile(r"^[0-9]+[a-z]{0,3}$")
MIN_TOKEN_LENGTH = 2


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return WORD_RE.findall(text.lower())


def _build_phrases() -> tuple[dict[tuple[str, ...], tuple[str, ...]], int]:
    phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
    for canonical, variants in SYNONYMS.items():
        target = tuple(canonical.split())
        for variant in (canonical, *variants):
            key = tuple(_words(variant))
            if key:
                phrases[key] = target
    longest = max((len(key) for key in phrases), default=1)
    return phrases, longest


PHRASES, LONGEST_PHRASE = _build_phrases()
CANONICAL = frozenset(token for target in PHRASES.values() for token in target)


@lru_cache(maxsize=1)
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Sastrawi's stem of one word; words with digits and canonical tokens stay as they are."""
    if word in CANONICAL or any(ch.isdigit() for ch in word) or len(word) <= 3:
        return word
    return _stemmer().stem(word) or word


# Punctuation ends a phrase: "baut, mur" is two items, not the phrase "baut mur".
SEGMENT_RE = re.compile(r"[,;:()\[\]/|\n]+|\.(?!\d)")


def tokens(text: str) -> list[str]:
    """The comparable tokens of a text, in order (see the module docstring)."""
    out: list[str] = []
    for segment in SEGMENT_RE.split(text or ""):
        out.extend(_segment_tokens(segment.strip().lower()))
    return out


@lru_cache(maxsize=500_000)
def _segment_tokens(segment: str) -> tuple[str, ...]:
    """The tokens of one phrase between punctuation (cached: suppliers repeat phrases)."""
    words = _words(segment)
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(LONGEST_PHRASE, len(words) - i), 0, -1):
            target = PHRASES.get(tuple(words[i : i + size]))
            if target:
                out.extend(target)
                i += size
                break
        else:
            word = words[i]
            i += 1
            if word in STOPWORDS or QUANTITY_RE.match(word) or len(word) < MIN_TOKEN_LENGTH:
                continue
            root = stem(word)
            if root in STOPWORDS:
                continue
            out.extend(PHRASES.get((root,), (root,)))
    return tuple(out)


# A term in more than this share of the suppliers' documents says nothing about fit
# ("komponen" in most of them): it is left out of both sides' vectors. Applied from
# MAX_DF_MIN_DOCUMENTS documents on, so a small registry keeps every word.
MAX_DF = 0.5
MAX_DF_MIN_DOCUMENTS = 50


class TextIndex:
    """Vocabulary and inverse document frequencies fitted on the suppliers' documents."""

    def __init__(self, documents: list[list[str]]):
        self.size = len(documents)
        frequency: Counter[str] = Counter()
        for document in documents:
            frequency.update(set(document))
        self.common: frozenset[str] = frozenset(
            term
            for term, df in frequency.items()
            if self.size >= MAX_DF_MIN_DOCUMENTS and df > MAX_DF * self.size
        )
        kept = sorted(term for term in frequency if term not in self.common)
        self.columns: dict[str, int] = {term: i for i, term in enumerate(kept)}
        self.idf: list[float] = [0.0] * len(self.columns)
        for term, column in self.columns.items():
            self.idf[column] = self.idf_of(frequency[term])

    CACHE_SIZE = 300_000

    def weights_of(self, text: str) -> dict[str, float]:
        """:meth:`weights` of a text's tokens, remembered (the same suppliers and needs
        are explained many times in a recompute)."""
        cache = self.__dict__.setdefault("_cache", {})
        found = cache.get(text)
        if found is None:
            if len(cache) >= self.CACHE_SIZE:
                cache.clear()
            found = cache[text] = self.weights(tokens(text))
        return found

    def idf_of(self, document_frequency: int) -> float:
        return math.log((1 + self.size) / (1 + document_frequency)) + 1.0

    def weights(self, document: list[str]) -> dict[str, float]:
        """Unit-length TF-IDF weights of a tokenised document, by term. Terms no supplier
        uses weigh as rare terms (df = 0): they count in the length, match nothing. Terms
        too common to tell suppliers apart (:data:`MAX_DF`) are left out."""
        counts = Counter(term for term in document if term not in self.common)
        raw = {}
        for term, count in counts.items():
            column = self.columns.get(term)
            idf = self.idf[column] if column is not None else self.idf_of(0)
            raw[term] = (1.0 + math.log(count)) * idf
        norm = math.sqrt(sum(value * value for value in raw.values()))
        if not norm:
            return {}
        return {term: value / norm for term, value in raw.items()}
