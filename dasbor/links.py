"""Drill-down: the list behind each figure, with the dashboard's filters carried along.

A link is offered only when the user may open that list; the list itself applies the
user's scope, so a buyer's or lender's link shows their own records only. Parameter names
are those of the lists' filter sets (ikm.filters, kemitraan.filters, pembiayaan.filters).
A figure whose list would show a different number has no link.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from .figures import LENDER, PROGRAM, Filters


class Links:
    def __init__(self, user, filters: Filters, scope_kind: str = PROGRAM):
        self.user = user
        self.filters = filters
        self.scope_kind = scope_kind

    def _url(self, name: str, permission: str, **params) -> str | None:
        if not self.user.has_perm(permission):
            return None
        query = {key: value for key, value in params.items() if value not in (None, "")}
        url = reverse(name)
        return f"{url}?{urlencode(query)}" if query else url

    def _common(self, *, event=True, sector=True) -> dict:
        f = self.filters
        params = {"province": f.province}
        if sector:
            params["sector"] = f.sector
        if event:
            params["event"] = f.event
        params["date_from"] = f.date_from.isoformat() if f.date_from else None
        params["date_to"] = f.date_to.isoformat() if f.date_to else None
        return params

    # --- IKM (the program's registry only: a slice's IKM are partners or borrowers) ---

    def ikm(self, **params) -> str | None:
        if self.scope_kind != PROGRAM:
            return None
        return self._url(
            "ikm:directory",
            "ikm.view_ikm",
            status_group="registered",
            **(self._common() | params),
        )

    # --- needs and suggestions ----------------------------------------------------------

    def demands(self, **params) -> str | None:
        return self._url(
            "kemitraan:demand-list",
            "kemitraan.view_demand",
            **(self._common(event=False, sector=False) | params),
        )

    def buyers(self) -> str | None:
        if self.filters:
            return None  # the buyer list has no filters: it would list a different number
        return self._url("kemitraan:buyer-list", "kemitraan.view_buyerprofile")

    # --- MoUs ---------------------------------------------------------------------------

    def mous(self, **params) -> str | None:
        if self.scope_kind == LENDER:
            # A lender's MoUs are those of the participants it finances (not by a rejected
            # or cancelled application); its officer sees every MoU with one of its akad,
            # and the MoU list has no filter to tell them apart.
            return None
        return self._url("kemitraan:mou-list", "kemitraan.view_mou", **(self._common() | params))

    # --- akad kredit --------------------------------------------------------------------

    def akad(self, **params) -> str | None:
        return self._url(
            "pembiayaan:akad-list", "pembiayaan.view_akadkredit", **(self._common() | params)
        )
