"""The dashboard's tables, built once from a figures dict and shown two ways: on the page
(with a link per row to the list behind it) and as the sheets of the ``.xlsx`` export."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ikm.kbli_divisions import division_label
from ikm.size_class import SizeClass

from .figures import PROGRAM, TKDN_THRESHOLD
from .links import Links

TEXT, COUNT, RUPIAH, PERCENT = "text", "count", "rupiah", "percent"


@dataclass
class Column:
    label: str
    kind: str = COUNT


@dataclass
class Row:
    cells: list
    link: str | None = None


@dataclass
class Table:
    key: str
    title: str
    sheet: str  # at most 31 characters, no []:*?/\
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    note: str = ""

    def rendered_rows(self):
        """(link, [(value, kind), ...]) per row, for the template."""
        kinds = [column.kind for column in self.columns]
        return [(row.link, list(zip(row.cells, kinds, strict=True))) for row in self.rows]


def month_label(month: str) -> str:
    """ "2026-11" as "Nov 2026" in the reader's language."""
    return date_format(datetime.date(int(month[:4]), int(month[5:7]), 1), "M Y")


def _akad_columns(first: str) -> list[Column]:
    return [
        Column(first, TEXT),
        Column(_("In process"), COUNT),
        Column(_("In process (Rp)"), RUPIAH),
        Column(_("Signed"), COUNT),
        Column(_("Signed (Rp)"), RUPIAH),
        Column(_("Disbursed (Rp)"), RUPIAH),
    ]


def _akad_stage(row: dict) -> str:
    """The stage a row of an akad table links to: its signed akad (the tables' order), else
    those in process, else those with a tranche. The akad list dates a period by the stage
    (pembiayaan.filters), as the row's column does, so it lists what the column counts."""
    if row["signed_count"]:
        return "signed"
    if row["pipeline_count"]:
        return "pipeline"
    return "disbursed"  # only tranches paid out in the period


def _akad_rows(rows: list[dict], link) -> list[Row]:
    """``link(row, stage)``: the akad list behind the row, for that stage."""
    return [
        Row(
            [
                row["name"] or "—",
                row["pipeline_count"],
                row["pipeline_amount"],
                row["signed_count"],
                row["signed_amount"],
                row["disbursed_amount"],
            ],
            link(row, _akad_stage(row)),
        )
        for row in rows
    ]


def build(figures: dict, links: Links, scheme_codes: dict | None = None) -> list[Table]:
    scheme_codes = scheme_codes or {}
    scope = figures.get("scope", PROGRAM)
    ikm_word = {PROGRAM: _("IKM"), "buyer": _("Partner IKM"), "lender": _("Borrowing IKM")}[scope]
    tables = [
        Table(
            "ikm_by_province",
            _("%(ikm)s by province") % {"ikm": ikm_word},
            "IKM per provinsi",
            [Column(_("Province"), TEXT), Column(_("Registered")), Column(_("Verified"))],
            [
                Row([r["name"], r["total"], r["verified"]], links.ikm(province=r["code"]))
                for r in figures["ikm_by_province"]
            ],
        ),
        Table(
            "ikm_by_division",
            _("%(ikm)s by KBLI division") % {"ikm": ikm_word},
            "IKM per golongan pokok KBLI",
            [Column(_("KBLI division"), TEXT), Column(_("Registered")), Column(_("Verified"))],
            [
                Row(
                    [division_label(r["code"]), r["total"], r["verified"]],
                    links.ikm(sector=r["code"]),
                )
                for r in figures["ikm_by_division"]
            ],
            note=_("An IKM with KBLI codes in several divisions is counted in each."),
        ),
        Table(
            "ikm_by_size",
            _("%(ikm)s by size class") % {"ikm": ikm_word},
            "IKM per kelas ukuran",
            [Column(_("Size class"), TEXT), Column(_("Registered")), Column(_("Verified"))],
            [
                Row(
                    [SizeClass(r["code"]).label, r["total"], r["verified"]],
                    links.ikm(size_class=r["code"]),
                )
                for r in figures["ikm_by_size"]
            ],
        ),
        Table(
            "market_access_by_buyer",
            _("Committed market access by buyer"),
            "Akses pasar per pembeli",
            [
                Column(_("Buyer"), TEXT),
                Column(_("MoU in force")),
                Column(_("IKM")),
                Column(_("Rp per year"), RUPIAH),
            ],
            [
                Row(
                    [r["name"], r["mou"], r["ikm"], r["amount"]],
                    links.mous(state="in_force", buyer=r["id"]) if scope == PROGRAM else None,
                )
                for r in figures["market_access_by_buyer"]
            ],
        ),
        Table(
            "market_access_by_province",
            _("Committed market access by the IKM's province"),
            "Akses pasar per provinsi",
            [Column(_("Province"), TEXT), Column(_("IKM")), Column(_("Rp per year"), RUPIAH)],
            [
                Row(
                    [r["name"], r["ikm"], r["amount"]],
                    links.mous(state="in_force", province=r["code"]),
                )
                for r in figures["market_access_by_province"]
            ],
        ),
        Table(
            "market_access_by_event",
            _("Committed market access by Link & Match event"),
            "Akses pasar per kegiatan",
            [Column(_("Event"), TEXT), Column(_("MoU in force")), Column(_("Rp per year"), RUPIAH)],
            [
                Row(
                    [r["name"] or _("Outside an event"), r["mou"], r["amount"]],
                    links.mous(state="in_force", event=r["id"]) if r["id"] else None,
                )
                for r in figures["market_access_by_event"]
            ],
        ),
        Table(
            "akad_by_lender",
            _("Akad kredit by lender"),
            "Akad per lembaga pembiayaan",
            _akad_columns(_("Lender")),
            _akad_rows(
                figures["akad_by_lender"],
                lambda r, stage: (
                    links.akad(stage=stage, lender=r["id"])
                    if scope == PROGRAM
                    else links.akad(stage=stage)
                ),
            ),
        ),
        Table(
            "akad_by_scheme",
            _("Akad kredit by scheme"),
            "Akad per skema",
            _akad_columns(_("Scheme")),
            _akad_rows(
                figures["akad_by_scheme"],
                lambda r, stage: links.akad(stage=stage, scheme=scheme_codes.get(r["id"])),
            ),
        ),
        Table(
            "akad_by_province",
            _("Akad kredit by the borrower's province"),
            "Akad per provinsi",
            _akad_columns(_("Province")),
            _akad_rows(
                figures["akad_by_province"],
                lambda r, stage: links.akad(stage=stage, province=r["id"]),
            ),
        ),
        Table(
            "monthly",
            _("Month by month"),
            "Tren bulanan",
            [
                Column(_("Month"), TEXT),
                Column(_("IKM registered")),
                Column(_("MoU signed")),
                Column(_("Market access committed (Rp/year)"), RUPIAH),
                Column(_("Akad signed")),
                Column(_("Akad signed (Rp)"), RUPIAH),
                Column(_("Disbursed (Rp)"), RUPIAH),
                Column(_("Purchase orders (Rp)"), RUPIAH),
            ],
            [
                Row(
                    [
                        month_label(r["month"]),
                        r["ikm_registered"],
                        r["mou_signed"],
                        r["market_access"],
                        r["akad_signed_count"],
                        r["akad_signed_amount"],
                        r["akad_disbursed_amount"],
                        r["po_value"],
                    ]
                )
                for r in figures["monthly"]
            ],
        ),
    ]
    return tables


def summary_rows(figures: dict) -> list[tuple[str, object, str]]:
    """The headline figures as (label, value, kind): the export's first sheet."""
    return [
        (_("IKM registered"), figures["ikm_total"], COUNT),
        (_("IKM verified"), figures["ikm_verified"], COUNT),
        (_("Buyers"), figures["buyers_total"], COUNT),
        (_("Open procurement needs"), figures["demands_open"], COUNT),
        (_("Suppliers suggested"), figures["suggestions_made"], COUNT),
        (
            _("Suggestions kept (shortlisted or contacted)"),
            figures["suggestions_shortlisted"],
            COUNT,
        ),
        (_("Suggestions contacted"), figures["suggestions_contacted"], COUNT),
        (_("Meetings held"), figures["meetings_held"], COUNT),
        (_("MoU signed"), figures["mou_signed"], COUNT),
        (_("MoU in force"), figures["mou_active"], COUNT),
        (_("IKM in MoUs in force"), figures["mou_ikm"], COUNT),
        (_("Committed market access (Rp per year)"), figures["market_access_per_year"], RUPIAH),
        (_("Purchase orders"), figures["po_count"], COUNT),
        (_("Purchase orders (Rp)"), figures["po_value"], RUPIAH),
        (_("Realisation of the commitment (%)"), figures["realisation_pct"], PERCENT),
        (_("Akad in process"), figures["akad_pipeline_count"], COUNT),
        (_("Akad in process (Rp)"), figures["akad_pipeline_amount"], RUPIAH),
        (_("Akad signed"), figures["akad_signed_count"], COUNT),
        (_("Akad signed (Rp)"), figures["akad_signed_amount"], RUPIAH),
        (_("Akad with disbursements"), figures["akad_disbursed_count"], COUNT),
        (_("Disbursed (Rp)"), figures["akad_disbursed_amount"], RUPIAH),
        (_("IKM with MoU and credit (closed loop complete)"), figures["closed_loop_ikm"], COUNT),
        (_("IKM with MoU, no credit yet"), figures["mou_without_credit_ikm"], COUNT),
        (_("Partnered IKM with a TKDN value"), figures["tkdn_known"], COUNT),
        (_("Average TKDN of partnered IKM (%)"), figures["tkdn_average"], PERCENT),
        (
            _("Partnered IKM with TKDN of %(threshold)s%% or more") % {"threshold": TKDN_THRESHOLD},
            figures["tkdn_40_plus"],
            COUNT,
        ),
    ]
