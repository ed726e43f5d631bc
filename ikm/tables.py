"""The supplier directory's table. It never shows contact data (personal data, UU PDP)."""

import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Case, F, IntegerField, Value, When
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import IKM
from .size_class import SizeClass

STATUS_BADGES = {
    IKM.Status.VERIFIED: "text-bg-success",
    IKM.Status.SUBMITTED: "text-bg-warning",
    IKM.Status.DRAFT: "text-bg-secondary",
    IKM.Status.REJECTED: "text-bg-danger",
}
INACTIVE = _("Inactive")
DATES_NOT_RECORDED = _("dates not recorded")
UNDATED_MARK = (
    ' <i class="bi bi-calendar-x" title="{0}" aria-hidden="true"></i>'
    '<span class="visually-hidden"> ({0})</span>'
)
NUMBER_CELL = "text-end text-nowrap"
SIZE_ORDER = {SizeClass.KECIL: 1, SizeClass.MENENGAH: 2, SizeClass.BESAR: 3}


class IkmDirectoryTable(tables.Table):
    """Rows are IKM annotated with ``size_class_code`` (``IKM.objects.with_size_class()``),
    with ``province``/``regency`` selected, ``processes`` prefetched and the certificates
    valid today prefetched into ``valid_certificates``."""

    name = tables.Column(verbose_name=_("Business name"))
    location = tables.Column(
        verbose_name=_("Regency/city"),
        accessor="regency__name",
    )
    size_class = tables.Column(verbose_name=_("Size class"), accessor="size_class_code")
    processes = tables.Column(verbose_name=_("Processes"), orderable=False, empty_values=())
    certifications = tables.Column(
        verbose_name=_("Valid certifications"), orderable=False, empty_values=()
    )
    monthly_capacity = tables.Column(
        verbose_name=_("Monthly capacity"), attrs={"td": {"class": NUMBER_CELL}}
    )
    tkdn = tables.Column(verbose_name=_("TKDN"), attrs={"td": {"class": NUMBER_CELL}})

    class Meta:
        model = IKM
        fields = ()
        sequence = (
            "name",
            "location",
            "size_class",
            "processes",
            "certifications",
            "monthly_capacity",
            "tkdn",
        )
        attrs = {"class": "table table-sm table-hover align-middle bg-body mb-2"}
        empty_text = _("No IKM match these filters.")
        template_name = "ikm/partials/directory_table.html"

    @property
    def page_cells(self):
        """The page's rows as ``(td class, html)`` cells, rendered by the ``render_*``
        methods below directly. The table's template uses this instead of django-tables2's
        generic cell machinery (accessors, signature inspection, attributes per cell), which
        took about five times as long."""
        for row in self.paginated_rows:
            ikm = row.record
            yield [
                ("", self.render_name(ikm)),
                ("", self.render_location(ikm)),
                ("", self.render_size_class(ikm.size_class_code)),
                ("", self.render_processes(ikm)),
                ("", self.render_certifications(ikm)),
                (
                    NUMBER_CELL,
                    "—"
                    if ikm.monthly_capacity is None
                    else self.render_monthly_capacity(ikm, ikm.monthly_capacity),
                ),
                (NUMBER_CELL, "—" if ikm.tkdn is None else self.render_tkdn(ikm.tkdn)),
            ]

    def render_name(self, record):
        badge = format_html(
            ' <span class="badge {}">{}</span>',
            STATUS_BADGES.get(record.verification_status, "text-bg-secondary"),
            record.get_verification_status_display(),
        )
        if not record.is_active:
            badge += format_html(' <span class="badge text-bg-dark">{}</span>', INACTIVE)
        return format_html(
            '<a href="{}">{}</a>{}', reverse("ikm:detail", args=[record.pk]), record.name, badge
        )

    def render_location(self, record):
        return format_html(
            '{}<br><span class="small text-body-secondary">{}</span>',
            record.regency,
            record.province,
        )

    def render_size_class(self, value):
        return SizeClass(value).label

    def render_processes(self, record):
        return ", ".join(process.label for process in record.processes.all()) or "—"

    def render_certifications(self, record):
        dated: dict[str, bool] = {}
        for certificate in getattr(record, "valid_certificates", []):
            code = certificate.certification_type.code
            dated[code] = dated.get(code, False) or certificate.dates_recorded
        if not dated:
            return "—"
        return format_html_join(
            " ",
            '<span class="badge text-bg-light border">{}{}</span>',
            (
                (code, "" if has_dates else format_html(UNDATED_MARK, DATES_NOT_RECORDED))
                for code, has_dates in sorted(dated.items())
            ),
        )

    def render_monthly_capacity(self, record, value):
        unit = f" {record.capacity_unit}" if record.capacity_unit else ""
        return f"{intcomma(value)}{unit}"

    def render_tkdn(self, value):
        return f"{number_format(value, 2)}%"

    def order_name(self, queryset, is_descending):
        name = F("name").desc() if is_descending else F("name").asc()
        return queryset.order_by(name, "pk"), True

    def order_location(self, queryset, is_descending):
        regency = F("regency__name").desc() if is_descending else F("regency__name").asc()
        return queryset.order_by(regency, "name", "pk"), True

    def order_size_class(self, queryset, is_descending):
        rank = Case(
            *[When(size_class_code=code, then=Value(n)) for code, n in SIZE_ORDER.items()],
            output_field=IntegerField(),
        )
        queryset = queryset.annotate(size_order=rank)
        order = F("size_order").desc() if is_descending else F("size_order").asc()
        return queryset.order_by(order, "name", "pk"), True

    def order_monthly_capacity(self, queryset, is_descending):
        return self._nulls_last(queryset, "monthly_capacity", is_descending), True

    def order_tkdn(self, queryset, is_descending):
        return self._nulls_last(queryset, "tkdn", is_descending), True

    @staticmethod
    def _nulls_last(queryset, field, is_descending):
        expression = (
            F(field).desc(nulls_last=True) if is_descending else F(field).asc(nulls_last=True)
        )
        return queryset.order_by(expression, "name", "pk")
