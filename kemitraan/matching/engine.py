"""The production engine: every supplier against many needs at once, with numpy/scipy.

It computes exactly :mod:`.scoring`'s definition (the reference in :mod:`.reference` is
the oracle; tests hold the two to 1e-6 on every pair). Work goes in blocks of at most
``cells`` need-supplier pairs, so memory stays bounded whatever the registry's size: a
block's component matrices are ``needs x suppliers`` float64 arrays, and only each need's
running top ``limit`` is kept between blocks.

The same block function scores one new need against all suppliers, all open needs against
all suppliers (the nightly recompute, split into chunks by :mod:`.run`), and one changed
supplier against all open needs.
"""

import datetime
import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.linalg import blas

from . import scoring as s
from .records import IkmRecord, NeedRecord
from .text import TextIndex, tokens

DEFAULT_CELLS = 131_072  # pairs per cache-sized block: 1 MB per float64 matrix
ROWS_PER_CHUNK = 64  # needs scored together against every supplier
ROW_BUFFER_CELLS = 8_000_000  # at most this many scores held at once (64 MB)
SAMPLE_STRIDE = 16  # top-k: a floor from every 16th column


@dataclass
class Scored:
    ikm_id: int
    score: float
    breakdown: dict[str, float]


def _codes(values: list[str]) -> dict[str, int]:
    return {value: i for i, value in enumerate(sorted(set(values)))}


def _one_hot(rows: list, columns: dict[str, int]) -> sparse.csr_matrix:
    """A 0/1 matrix: row i has a 1 in the column of each of its values known to ``columns``."""
    indptr, indices = [0], []
    for values in rows:
        cols = sorted({columns[v] for v in values if v in columns})
        indices.extend(cols)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    return sparse.csr_matrix(
        (data, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(rows), max(len(columns), 1)),
    )


class Vocabulary:
    """Shared column numbers for the categorical features of both sides.

    ``catalogue`` adds codes no supplier of the snapshot uses yet (the reference tables:
    processes, certification types, KBLI), so that a supplier newer than the snapshot, or
    a need, is compared on every code it has. Regions and units get numbers as they come:
    they are only compared for equality.
    """

    def __init__(self, ikms: list[IkmRecord], index: TextIndex, catalogue: dict | None = None):
        catalogue = catalogue or {}
        self.index = index
        self.processes = _codes(
            [p for i in ikms for p in i.processes] + list(catalogue.get("processes", ()))
        )
        self.certificates = _codes(
            [c.code for i in ikms for c in i.certificates] + list(catalogue.get("certificates", ()))
        )
        kbli = [k for i in ikms for k in i.kbli] + list(catalogue.get("kbli", ()))
        self.kbli = [_codes([k[:n] for k in kbli]) for n in (5, 3, 2)]
        self.regions: dict[str, int] = {}
        self.dimensions: dict[str, int] = {}

    def region(self, code: str) -> int:
        """A region's number (regency, province or island group); -2 when none is given."""
        if not code:
            return -2
        return self.regions.setdefault(code, len(self.regions))

    def dimension(self, unit: str) -> tuple[int, float]:
        name, factor = s.unit_of(unit)
        return self.dimensions.setdefault(name, len(self.dimensions)), factor

    def text(self, texts: list[str], documents: list | None = None) -> sparse.csr_matrix:
        """Rows of unit-length TF-IDF weights, as :meth:`TextIndex.weights` computes them
        (terms no supplier uses count only in the length: they have no column)."""
        documents = documents if documents is not None else [tokens(t) for t in texts]
        columns = self.index.columns
        rows, cols, unknown = [], [], np.zeros(len(documents))
        unknown_idf = self.index.idf_of(0)
        common = self.index.common
        for row, document in enumerate(documents):
            missing = {}
            for term in document:
                column = columns.get(term)
                if column is None:
                    if term in common:
                        continue
                    missing[term] = missing.get(term, 0) + 1
                else:
                    rows.append(row)
                    cols.append(column)
            for count in missing.values():
                unknown[row] += ((1.0 + math.log(count)) * unknown_idf) ** 2
        shape = (len(documents), max(len(columns), 1))
        counts = sparse.csr_matrix(
            (
                np.ones(len(rows)),
                (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)),
            ),
            shape=shape,
        )
        counts.sum_duplicates()
        idf = np.asarray(self.index.idf, dtype=np.float64)
        counts.data = (1.0 + np.log(counts.data)) * idf[counts.indices]
        per_row = np.diff(counts.indptr)
        squares = np.asarray(counts.multiply(counts).sum(axis=1)).ravel()
        norms = np.sqrt(squares + unknown)
        with np.errstate(divide="ignore", invalid="ignore"):
            counts.data /= np.repeat(norms, per_row)
        return counts


def _float(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _profiles(keys: list) -> tuple[np.ndarray, list]:
    """Each row's profile number, and the distinct profiles (in first-seen order)."""
    numbers: dict = {}
    index = np.array([numbers.setdefault(key, len(numbers)) for key in keys], dtype=np.int64)
    return index, list(numbers)


class IkmSide:
    """The suppliers' features as arrays, one row per supplier, ordered by id.

    Features with few distinct values (valid certificates, KBLI codes, region) are stored
    as a profile number per supplier: a block computes a small table per need and profile,
    then gathers it, instead of comparing every pair.
    """

    def __init__(
        self,
        ikms: list[IkmRecord],
        vocabulary: Vocabulary,
        today: datetime.date,
        documents: list | None = None,
    ):
        v = vocabulary
        self.ids = np.array([i.id for i in ikms], dtype=np.int64)
        # suppliers x terms (picks any columns) and terms x suppliers (whole-range product)
        self.text = v.text([i.text for i in ikms], documents)
        self.text_t = self.text.T.tocsr()  # terms x suppliers: the whole-range product
        self.processes_t = _one_hot([i.processes for i in ikms], v.processes).T.toarray()

        # Profile: valid certificates, KBLI codes, eligible, verified (a few thousand).
        valid = [i.valid_certificates(today) for i in ikms]
        eligible = [i.is_active and i.status in s.ELIGIBLE_STATUSES for i in ikms]
        self.profile, profiles = _profiles(
            [
                (certs, i.kbli, ok, i.status == "verified")
                for i, certs, ok in zip(ikms, valid, eligible, strict=True)
            ]
        )
        self.profile_certs = _one_hot([p[0] for p in profiles], v.certificates).toarray()
        self.profile_kbli = [
            _one_hot([{k[:n] for k in p[1]} for p in profiles], cols).toarray()
            for n, cols in zip((5, 3, 2), v.kbli, strict=True)
        ]
        self.profile_eligible = np.array([p[2] for p in profiles], dtype=bool)
        self.profile_verified = np.array([p[3] for p in profiles], dtype=bool)
        self.region_profile, regions = _profiles(
            [(i.regency, i.province, i.island_group) for i in ikms]
        )
        self.region_regency = np.array([v.region(r[0]) for r in regions], dtype=np.int64)
        self.region_province = np.array([v.region(r[1]) for r in regions], dtype=np.int64)
        self.region_island = np.array([v.region(r[2]) for r in regions], dtype=np.int64)

        dims = [v.dimension(i.capacity_unit) for i in ikms]
        self.dimension = np.array([d for d, _ in dims], dtype=np.int64)
        capacity = _float([i.monthly_capacity for i in ikms]) * np.array(
            [f for _, f in dims], dtype=np.float64
        )
        self.has_capacity = ~np.isnan(capacity)
        self.sqrt_capacity = np.sqrt(np.nan_to_num(capacity))
        self.lat = np.radians(_float([i.latitude for i in ikms]))
        self.lon = np.radians(_float([i.longitude for i in ikms]))
        self.has_point = ~np.isnan(self.lat) & ~np.isnan(self.lon)
        self.eligible = np.array(eligible, dtype=bool)
        self.verified = np.array([i.status == "verified" for i in ikms], dtype=bool)
        self.tkdn = _float([i.tkdn for i in ikms])
        mou = np.minimum(np.array([i.mou_count for i in ikms], dtype=np.float64) / s.MOU_FULL_AT, 1)
        self.quality = (
            s.QUALITY_VERIFIED * self.verified
            + s.QUALITY_TKDN * (np.nan_to_num(self.tkdn) / 100.0)
            + s.QUALITY_MOU * mou
        )
        # Processes and quality, both linear in the need's factors: one BLAS product.
        self.linear_t = np.vstack([self.processes_t, self.quality[None, :]])

    def __len__(self):
        return len(self.ids)


class NeedSide:
    """The needs' features as arrays, one row per need."""

    def __init__(self, needs: list[NeedRecord], vocabulary: Vocabulary, weights: s.Weights):
        v = vocabulary
        self.ids = np.array([n.id for n in needs], dtype=np.int64)
        self.excluded = [n.excluded for n in needs]
        self.text = v.text([n.text for n in needs])
        has_text = np.array([bool(tokens(n.text)) for n in needs], dtype=bool)
        self.processes = _one_hot([n.processes for n in needs], v.processes).toarray()
        n_processes = np.array([len(n.processes) for n in needs], dtype=np.float64)
        self.kbli = [
            _one_hot([{k[:n] for k in need.kbli} for need in needs], cols).toarray()
            for n, cols in zip((5, 3, 2), v.kbli, strict=True)
        ]
        # A required certificate nobody holds has no column: such a need matches no one.
        self.required = _one_hot([n.required_certifications for n in needs], v.certificates)
        self.required = self.required.toarray()
        self.impossible = np.array(
            [any(c not in v.certificates for c in n.required_certifications) for n in needs],
            dtype=bool,
        )
        self.preferred = _one_hot([n.preferred_certifications for n in needs], v.certificates)
        self.preferred = self.preferred.toarray()
        n_preferred = np.array([len(n.preferred_certifications) for n in needs], dtype=float)
        dims = [v.dimension(n.unit) for n in needs]
        self.dimension = np.array([d for d, _ in dims], dtype=np.int64)
        quantity = _float([n.quantity_per_month for n in needs]) * np.array(
            [f for _, f in dims], dtype=np.float64
        )
        with np.errstate(divide="ignore"):
            self.inv_sqrt_quantity = np.where(np.isnan(quantity), 0.0, 1.0 / np.sqrt(quantity))
        self.regency = np.array([v.region(n.regency) for n in needs], dtype=np.int64)
        self.province = np.array([v.region(n.province) for n in needs], dtype=np.int64)
        self.island = np.array([v.region(n.island_group) for n in needs], dtype=np.int64)
        self.lat = np.radians(_float([n.latitude for n in needs]))
        self.lon = np.radians(_float([n.longitude for n in needs]))
        self.has_point = ~np.isnan(self.lat) & ~np.isnan(self.lon)
        self.min_tkdn = _float([n.min_tkdn for n in needs])
        self.verified_only = np.array([n.verified_only for n in needs], dtype=bool)
        self.applies = {
            "process": n_processes > 0,
            "text": has_text,
            "kbli": np.array([bool(n.kbli) for n in needs], dtype=bool),
            "capacity": ~np.isnan(quantity),
            "location": (self.regency != -2) | (self.province != -2) | self.has_point,
            "certification": n_preferred > 0,
            "quality": np.ones(len(needs), dtype=bool),
        }
        w = weights.as_dict()
        total = sum(np.where(self.applies[c], w[c], 0.0) for c in s.COMPONENTS)
        safe = np.where(total > 0, total, 1.0)
        # Points per unit of each component, per need (0 where it does not apply).
        self.factor = {
            c: np.where(self.applies[c] & (total > 0), 100.0 * w[c] / safe, 0.0)
            for c in s.COMPONENTS
        }
        # Components in the breakdown: those that apply, unless no weight applies at all.
        self.in_breakdown = {c: self.applies[c] & (total > 0) for c in s.COMPONENTS}
        self.process_factor = self.factor["process"] / np.maximum(n_processes, 1.0)
        self.preferred_factor = self.factor["certification"] / np.maximum(n_preferred, 1.0)

    def __len__(self):
        return len(self.ids)


class Matcher:
    """Suppliers prepared once (vocabulary, IDF, arrays); needs scored against them."""

    def __init__(
        self,
        ikms: list[IkmRecord],
        weights: s.Weights | None = None,
        *,
        today: datetime.date,
        cells: int = DEFAULT_CELLS,
        catalogue: dict | None = None,
    ):
        self.ikms = sorted(ikms, key=lambda i: i.id)
        self.weights = weights or s.Weights()
        self.today = today
        self.cells = cells
        documents = [tokens(i.text) for i in self.ikms]
        self.index = TextIndex(documents)
        self.vocabulary = Vocabulary(self.ikms, self.index, catalogue)
        self.side = IkmSide(self.ikms, self.vocabulary, self.today, documents)
        self.position = {int(pk): pos for pos, pk in enumerate(self.side.ids)}

    # -- scoring blocks --------------------------------------------------------------

    def _tables(self, need: NeedSide, rows: slice, ikm: IkmSide) -> dict:
        """Per need and supplier profile, small tables gathered per block: KBLI points,
        preferred-certification points, their sum or -inf where a profile fails a filter
        (required certificate, eligibility, verified only); location points per region."""
        holds = (need.required[rows] @ (1.0 - ikm.profile_certs).T) == 0
        holds &= ~need.impossible[rows, None]
        holds &= ikm.profile_eligible[None, :]
        holds &= ~need.verified_only[rows, None] | ikm.profile_verified[None, :]
        exact, group, division = (
            (need.kbli[i][rows] @ ikm.profile_kbli[i].T) > 0 for i in range(3)
        )
        kbli = np.where(
            exact, 1.0, np.where(group, s.KBLI_GROUP, np.where(division, s.KBLI_DIVISION, 0.0))
        )
        kbli *= need.factor["kbli"][rows, None]
        preferred = need.preferred[rows] * need.preferred_factor[rows, None]
        certification = preferred @ ikm.profile_certs.T
        reg, prov = need.regency[rows, None], need.province[rows, None]
        isl = need.island[rows, None]
        same_reg = reg == ikm.region_regency[None, :]
        same_prov = prov == ikm.region_province[None, :]
        same_isl = (isl >= 0) & (isl == ikm.region_island[None, :])
        by_regency = np.where(
            same_reg,
            s.LOCATION_REGENCY,
            np.where(
                same_prov,
                s.LOCATION_PROVINCE,
                np.where(same_isl, s.LOCATION_ISLAND, s.LOCATION_ELSEWHERE),
            ),
        )
        by_province = np.where(
            same_prov,
            s.LOCATION_REGENCY,
            np.where(same_isl, s.LOCATION_PROVINCE_ONLY_ISLAND, s.LOCATION_ELSEWHERE),
        )
        tier = np.where(reg != -2, by_regency, np.where(prov != -2, by_province, np.nan))
        location = np.where(np.isnan(tier), 0.0, tier) * need.factor["location"][rows, None]
        return {
            "holds": holds,
            "kbli": kbli,
            "certification": certification,
            "profile": np.where(holds, kbli + certification, -np.inf),
            "tier": tier,
            "location": location,
        }

    @staticmethod
    def _process(need, rows, ikm, cols) -> np.ndarray:
        weighted = need.processes[rows] * need.process_factor[rows, None]
        return weighted @ ikm.processes_t[:, cols]

    @staticmethod
    def _text(need, rows, ikm, cols) -> sparse.csr_matrix:
        """Text points as a sparse matrix (zero where no term is shared)."""
        if isinstance(cols, slice) and cols.start in (0, None) and cols.stop >= len(ikm):
            columns = ikm.text_t
        else:
            columns = ikm.text[cols].T
        product = (need.text[rows] @ columns).tocsr()
        product.data *= 1.0 / s.TEXT_FULL_AT
        np.minimum(product.data, 1.0, out=product.data)
        per_row = np.diff(product.indptr)
        product.data *= np.repeat(need.factor["text"][rows], per_row)
        return product

    @staticmethod
    def _capacity(need, rows, ikm, cols) -> np.ndarray:
        """Capacity points: ``min(1, sqrt(capacity / quantity))`` times the need's factor,
        ``UNKNOWN_CAPACITY`` times it where the capacity is unknown or in another unit."""
        factor = need.factor["capacity"][rows]
        dimension = need.dimension[rows]
        scale = factor * need.inv_sqrt_quantity[rows]
        out = np.zeros((len(factor), len(ikm.ids[cols])))
        ikm_dimension = ikm.dimension[cols]
        has = ikm.has_capacity[cols]
        root = ikm.sqrt_capacity[cols]
        for d in np.unique(dimension[factor > 0]):
            r = np.flatnonzero((dimension == d) & (factor > 0))
            unknown = np.flatnonzero(~(has & (ikm_dimension == d)))
            value = np.multiply.outer(scale[r], root)
            np.minimum(value, factor[r, None], out=value)
            value[:, unknown] = s.UNKNOWN_CAPACITY * factor[r, None]
            out[r] = value
        return out

    @staticmethod
    def _location(need, rows, ikm, cols, tables) -> np.ndarray:
        """Location points: the region table gathered, then distance for the needs with a
        delivery point (the tier, or the distance when it is higher)."""
        location = tables["location"][:, ikm.region_profile[cols]]
        need_point = need.has_point[rows]
        if not need_point.any():
            return location
        r = np.flatnonzero(need_point)
        tier = tables["tier"][r][:, ikm.region_profile[cols]]
        lat1, lon1 = need.lat[rows][r, None], need.lon[rows][r, None]
        lat2, lon2 = ikm.lat[cols][None, :], ikm.lon[cols][None, :]
        a = (
            np.sin((lat2 - lat1) / 2) ** 2
            + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        )
        km = 2 * s.EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
        near = np.exp(-km / s.DISTANCE_SCALE_KM)
        with_point = np.where(np.isnan(tier), near, np.maximum(tier, near))
        without = np.where(np.isnan(tier), s.LOCATION_UNKNOWN, tier)
        both = ikm.has_point[cols][None, :]
        factor = need.factor["location"][rows]
        location[r] = np.where(both, with_point, without) * factor[r, None]
        return location

    @staticmethod
    def _passes(need, rows, ikm, cols, tables) -> np.ndarray:
        """Where every hard filter passes (needs x suppliers)."""
        ok = tables["holds"][:, ikm.profile[cols]]
        Matcher._continuous_filters(need, rows, ikm, cols, ok)
        return ok

    @staticmethod
    def _continuous_filters(need, rows, ikm, cols, ok) -> None:
        """The filters no profile table holds: minimum TKDN, dismissed suppliers."""
        min_tkdn = need.min_tkdn[rows]
        asks = ~np.isnan(min_tkdn)
        if asks.any():
            ok[asks] &= ikm.tkdn[cols][None, :] >= min_tkdn[asks, None]
        ids = ikm.ids[cols]
        for r, excluded in enumerate(need.excluded[rows]):
            if excluded:
                ok[r, np.isin(ids, np.fromiter(excluded, dtype=np.int64))] = False

    def _add_rest(self, need, rows, ikm, cols, tables, out, *, quality=True) -> None:
        """Add the table-driven and per-supplier components to ``out``, -inf where a
        filter fails: the cache-sized part of a block."""
        out += tables["profile"][:, ikm.profile[cols]]  # -inf where a profile filter fails
        factor = need.factor["capacity"][rows]
        if factor.any():
            out += self._capacity(need, rows, ikm, cols)
        out += self._location(need, rows, ikm, cols, tables)
        if quality:
            out += np.multiply.outer(need.factor["quality"][rows], ikm.quality[cols])
        min_tkdn = need.min_tkdn[rows]
        if (~np.isnan(min_tkdn)).any() or any(need.excluded[rows]):
            ok = np.ones(out.shape, dtype=bool)
            self._continuous_filters(need, rows, ikm, cols, ok)
            np.copyto(out, -np.inf, where=~ok)

    def block(
        self,
        need: NeedSide,
        rows: slice,
        cols,
        ikm: IkmSide | None = None,
        *,
        components: bool = False,
    ) -> tuple[np.ndarray, dict]:
        """Scores of needs ``rows`` against suppliers ``cols`` (a slice or positions):
        a ``needs x suppliers`` matrix, -inf where a filter fails. With ``components``,
        also each component's points (the breakdown)."""
        ikm = ikm or self.side
        tables = self._tables(need, rows, ikm)
        process = self._process(need, rows, ikm, cols)
        text = self._text(need, rows, ikm, cols).toarray()
        if not components:
            text += process
            self._add_rest(need, rows, ikm, cols, tables, text)
            return text, {}
        m, b = process.shape
        points = {
            "process": process,
            "text": text,
            "kbli": tables["kbli"][:, ikm.profile[cols]],
            "capacity": self._capacity(need, rows, ikm, cols),
            "location": self._location(need, rows, ikm, cols, tables),
            "certification": tables["certification"][:, ikm.profile[cols]],
            "quality": np.multiply.outer(need.factor["quality"][rows], ikm.quality[cols]),
        }
        total = np.zeros((m, b))
        for name in s.COMPONENTS:
            total += points[name]
        np.copyto(total, -np.inf, where=~self._passes(need, rows, ikm, cols, tables))
        return total, points

    # -- needs against all suppliers -----------------------------------------------------

    def prepare(self, needs: list[NeedRecord]) -> NeedSide:
        return NeedSide(needs, self.vocabulary, self.weights)

    def _score_rows(self, need: NeedSide, rows: slice) -> np.ndarray:
        """Scores of needs ``rows`` against every supplier: process and text for the whole
        row range in one BLAS and one sparse product each; the rest in cache-sized blocks."""
        ikm = self.side
        n = len(ikm)
        tables = self._tables(need, rows, ikm)
        score = self._text(need, rows, ikm, slice(0, n)).toarray()
        # score += process and quality points, in place (score.T is in Fortran order).
        weighted = np.hstack(
            [
                need.processes[rows] * need.process_factor[rows, None],
                need.factor["quality"][rows, None],
            ]
        )
        added = blas.dgemm(1.0, ikm.linear_t.T, weighted.T, beta=1.0, c=score.T, overwrite_c=True)
        if not np.shares_memory(added, score):  # BLAS made a copy after all
            score[...] = added.T
        m = score.shape[0]
        step = max(1, self.cells // max(m, 1))
        for c0 in range(0, n, step):
            cols = slice(c0, min(c0 + step, n))
            block = score[:, cols]  # a view: written in place
            self._add_rest(need, rows, ikm, cols, tables, block, quality=False)
        return score

    def top(self, needs: list[NeedRecord], limit: int = 20) -> dict[int, list[Scored]]:
        """Each need's best ``limit`` suppliers (score down, then id up), with breakdowns."""
        side = self.prepare(needs)
        n = len(self.side)
        if not len(side) or not n:
            return {int(pk): [] for pk in side.ids}
        results: dict[int, list[Scored]] = {}
        rows_per = max(1, min(len(side), ROWS_PER_CHUNK, ROW_BUFFER_CELLS // n))
        for r0 in range(0, len(side), rows_per):
            rows = slice(r0, min(r0 + rows_per, len(side)))
            score = self._score_rows(side, rows)
            keep = self._top_columns(score, limit)
            best_scores = np.take_along_axis(score, keep, 1)
            order = np.lexsort((keep, -best_scores), axis=1)
            best_scores = np.take_along_axis(best_scores, order, 1)
            best_pos = np.take_along_axis(keep, order, 1)
            results.update(self._with_breakdowns(side, rows, best_scores, best_pos))
        return results

    def _with_breakdowns(self, side, rows, best_scores, best_pos) -> dict[int, list[Scored]]:
        """The breakdown of each need's final list: one small block over their columns."""
        union, where = np.unique(best_pos[np.isfinite(best_scores)], return_inverse=True)
        points = {}
        if len(union):
            _, points = self.block(side, rows, union, components=True)
        results, k = {}, 0
        for r in range(best_scores.shape[0]):
            items = []
            need_row = rows.start + r
            for j in range(best_scores.shape[1]):
                value = best_scores[r, j]
                if not np.isfinite(value):
                    k += int(np.isfinite(best_scores[r, j:]).sum())
                    break
                column = where[k]
                k += 1
                breakdown = {
                    c: float(points[c][r, column])
                    for c in s.COMPONENTS
                    if side.in_breakdown[c][need_row]
                }
                items.append(Scored(int(self.side.ids[best_pos[r, j]]), float(value), breakdown))
            results[int(side.ids[need_row])] = items
        return results

    @staticmethod
    def _top_columns(score: np.ndarray, limit: int) -> np.ndarray:
        """Column indices of each row's best ``limit`` scores (ties: lower column first;
        a row with fewer passing suppliers is padded with columns scored -inf).

        The limit-th best of every 16th column is a floor for the limit-th best of all
        (a subset's k-th best is never higher): only columns at or above it compete."""
        m, b = score.shape
        if b <= limit:
            return np.broadcast_to(np.arange(b), score.shape).copy()
        out = np.empty((m, limit), dtype=np.int64)
        sample = score[:, ::SAMPLE_STRIDE]
        if sample.shape[1] >= limit:
            floor = np.partition(sample, sample.shape[1] - limit, axis=1)[:, -limit]
        else:
            floor = np.full(m, -np.inf)
        for r in range(m):
            if np.isfinite(floor[r]):
                candidates = np.flatnonzero(score[r] >= floor[r])
            else:  # fewer than ``limit`` pass in the sample: every passing column competes
                candidates = np.flatnonzero(np.isfinite(score[r]))
            if len(candidates) > limit:
                values = score[r, candidates]
                best = np.argpartition(-values, limit - 1)[:limit]
                kth = values[best].min()
                candidates = candidates[values >= kth]  # and every column tied with it
                values = score[r, candidates]
                candidates = candidates[np.lexsort((candidates, -values))[:limit]]
            if len(candidates) < limit:  # pad with columns that fail a filter
                filler = np.flatnonzero(~np.isfinite(score[r]))[: limit - len(candidates)]
                candidates = np.concatenate([candidates, filler])
            out[r] = candidates
        return out

    def scores(self, need: NeedRecord) -> np.ndarray:
        """One need's score against every supplier (-inf where a filter fails)."""
        side = self.prepare([need])
        n = len(self.side)
        out = np.empty(n, dtype=np.float64)
        for c0 in range(0, n, self.cells):
            cols = slice(c0, min(c0 + self.cells, n))
            out[cols] = self.block(side, slice(0, 1), cols)[0][0]
        return out

    # -- one supplier against many needs ----------------------------------------------

    def against_record(self, record: IkmRecord, needs: NeedSide) -> np.ndarray:
        """One supplier's score for each prepared need (-inf where a filter fails). The
        record may be newer than the snapshot: it is weighed with the snapshot's IDF."""
        side = IkmSide([record], self.vocabulary, self.today)
        out = np.empty(len(needs), dtype=np.float64)
        step = max(1, self.cells)
        for r0 in range(0, len(needs), step):
            rows = slice(r0, min(r0 + step, len(needs)))
            out[rows] = self.block(needs, rows, slice(0, 1), side)[0][:, 0]
        return out
