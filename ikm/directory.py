"""The supplier directory: every signed-in role browses the IKM it may see.

A FilterSet (``ikm.filters``) + a django-tables2 table (``ikm.tables``) + one template whose
table is a partial: filters, sort, page and page size live in the URL (shareable), and htmx
swaps only the table. The rows come from ``IKM.objects.visible_to(user)``.
"""

from urllib.parse import urlencode

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet, Window
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.rows import BoundRows

from .filters import DirectoryFilterSet
from .models import IKM, Certificate
from .tables import IkmDirectoryTable

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
TABLE_PARTIAL = "ikm/directory.html#directory-table"


def directory_queryset(user):
    """The IKM ``user`` may see, shaped for the directory table: constant queries per page
    (regions joined, processes and today's valid certificates prefetched)."""
    return (
        IKM.objects.visible_to(user)
        .with_size_class()
        .select_related("province", "regency")
        .prefetch_related(
            "processes",
            Prefetch(
                "certificates",
                queryset=Certificate.objects.valid_on()
                .select_related("certification_type")
                .order_by(),
                to_attr="valid_certificates",
            ),
        )
        .order_by("name", "pk")
    )


def canonical_query(params) -> str:
    """The directory's query string without empty or default values, in a stable order
    (a form submitted by htmx sends every field, most of them empty)."""
    names = [*DirectoryFilterSet.base_filters, "sort", "per_page", "page"]
    defaults = {"per_page": str(DEFAULT_PAGE_SIZE), "page": "1"}
    clean = {}
    for name in names:
        value = (params.get(name) or "").strip()
        if value and value != defaults.get(name):
            clean[name] = value
    return urlencode(clean)


class DirectoryPaginator(Paginator):
    """Only the offered page sizes; anything else in the URL gets the default.

    With a search (PostgreSQL) the page and the total come from one query, ``COUNT(*) OVER
    ()``: ranking the matches reads all of them anyway, and a separate COUNT would read
    them a second time (at 100,000 IKM, a broad word costs tens of milliseconds each)."""

    def __init__(self, object_list, per_page, *args, **kwargs):
        try:
            per_page = int(per_page)
        except (TypeError, ValueError):
            per_page = DEFAULT_PAGE_SIZE
        if per_page not in PAGE_SIZES:
            per_page = DEFAULT_PAGE_SIZE
        super().__init__(object_list, per_page, *args, **kwargs)

    def page(self, number):
        queryset = self._search_queryset()
        if queryset is None:
            return super().page(number)
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError):
            number = 1
        total, records = self._fetch(queryset, number)
        if total is None:  # nothing found, or a page past the end: go to the last page
            total = queryset.count()
            self.__dict__["count"] = total  # Paginator.count is a cached property
            number = self.num_pages
            total, records = self._fetch(queryset, number) if total else (0, [])
        self.__dict__["count"] = total
        return self._get_page(BoundRows(data=records, table=self.object_list.table), number, self)

    def _search_queryset(self):
        """The ordered queryset behind django-tables2's rows, when it is a search."""
        queryset = getattr(getattr(self.object_list, "data", None), "data", None)
        if isinstance(queryset, QuerySet) and "search_rank" in queryset.query.annotations:
            return queryset
        return None

    def _fetch(self, queryset, number: int) -> tuple[int | None, list]:
        """The total and the page's IKM. The ranking query stays narrow (ids, no joins):
        every match goes through its sort and its window, and whole rows with their
        regions would make that several times slower (and spill to disk)."""
        bottom = (number - 1) * self.per_page
        page = list(
            queryset.annotate(directory_total=Window(Count("pk"))).values_list(
                "pk", "directory_total"
            )[bottom : bottom + self.per_page]
        )
        if not page:
            return None, []
        by_pk = queryset.filter(pk__in=[pk for pk, _total in page]).order_by().in_bulk()
        return page[0][1], [by_pk[pk] for pk, _total in page if pk in by_pk]


class DirectoryView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """Search and filter the IKM directory. An htmx request gets only the table partial."""

    permission_required = "ikm.view_ikm"
    filterset_class = DirectoryFilterSet
    table_class = IkmDirectoryTable
    template_name = "ikm/directory.html"
    table_pagination = {"per_page": DEFAULT_PAGE_SIZE, "paginator_class": DirectoryPaginator}

    def get_queryset(self):
        return directory_queryset(self.request.user)

    def is_table_request(self) -> bool:
        htmx = getattr(self.request, "htmx", None)
        return bool(htmx) and not htmx.history_restore_request

    def get_template_names(self):
        return [TABLE_PARTIAL] if self.is_table_request() else [self.template_name]

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.is_table_request():
            # The address bar shows the clean, shareable URL of what is on screen.
            query = canonical_query(self.request.GET)
            response["HX-Push-Url"] = f"{self.request.path}?{query}" if query else self.request.path
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table = context["table"]
        context["page_sizes"] = PAGE_SIZES
        context["per_page"] = table.paginator.per_page if table.page else DEFAULT_PAGE_SIZE
        context["result_count"] = table.paginator.count if table.page else 0
        context["sort"] = self.request.GET.get(table.prefixed_order_by_field, "")
        context["query"] = canonical_query(self.request.GET)
        return context
