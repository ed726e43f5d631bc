"""Bulk import screens (upload, preview, confirm, progress, error workbook) and the
directory export. The engine is ikm.importing; the work runs in Celery tasks."""

import logging

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from .models import IKM, ImportJob
from .uploads import DOCUMENT_EMPTY

logger = logging.getLogger("ikm.importing")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_MISSING = gettext_lazy("Choose an .xlsx or .csv file to upload.")
UPLOAD_WRONG_KIND = gettext_lazy("Only .xlsx or .csv files can be imported.")
UPLOAD_TOO_LARGE = gettext_lazy("The file is larger than 20 MB; split it into smaller files.")
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class ImportJobMixin:
    def get_job(self) -> ImportJob:
        return get_object_or_404(
            ImportJob.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )


class ImportUploadView(PermissionRequiredMixin, View):
    """Upload a workbook; it is checked (dry run) before anything is written."""

    permission_required = "ikm.add_ikm"

    def get(self, request):
        return self.page(request)

    def page(self, request, error=None, status=200):
        recent = ImportJob.objects.visible_to(request.user).select_related("created_by")[:10]
        return render(
            request, "ikm/import_upload.html", {"error": error, "recent": recent}, status=status
        )

    def post(self, request):
        from .importing import import_job_create
        from .tasks import ikm_import_preview_task

        uploaded = request.FILES.get("file")
        if uploaded is None:
            return self.page(request, UPLOAD_MISSING, status=422)
        if not uploaded.name.lower().endswith((".xlsx", ".csv")):
            return self.page(request, UPLOAD_WRONG_KIND, status=422)
        if uploaded.size > MAX_IMPORT_BYTES:
            return self.page(request, UPLOAD_TOO_LARGE, status=422)
        if not uploaded.size:
            return self.page(request, DOCUMENT_EMPTY, status=422)
        try:
            check_upload(uploaded, user_id=request.user.pk)
        except ValidationError as exc:
            return self.page(request, " ".join(exc.messages), status=422)
        try:
            with transaction.atomic():
                job = import_job_create(uploaded_file=uploaded, actor=request.user)
                transaction.on_commit(lambda: ikm_import_preview_task.delay(str(job.pk)))
        except ValidationError as exc:
            return self.page(request, " ".join(exc.messages), status=422)
        return redirect("ikm:import-job", pk=job.pk)


def check_upload(uploaded, *, user_id=None) -> None:
    """Refuse, before anything is stored, a file that is not the spreadsheet its name says
    (another kind of content, damaged or truncated, a zip bomb, macros, XML with a DTD),
    whose header lacks the template's required columns, or that holds a value a
    spreadsheet would run as a formula: the registry keeps text as typed, so a formula
    cell or "=cmd|..." text would be stored and could run in a spreadsheet later. The
    spreadsheet library reads the header row only (the rows are checked by the preview
    task); the formula search goes through the whole file's text. Formula text is refused
    by the import itself too, whatever calls it; formula cells and the neutralised "'=..."
    only here (the import keeps them as text). Raises ``ImportFileError`` (a
    ``ValidationError``)."""
    from .importing import ImportFileError, map_columns
    from .importing.reading import (
        FILE_UNREADABLE,
        check_file,
        find_formula,
        formula_error,
        read_header,
    )

    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    check_file(data, uploaded.name)
    try:
        map_columns(read_header(data, uploaded.name))
    except ImportFileError:
        raise
    except Exception as exc:  # a malformed workbook can break openpyxl in many ways
        # Never the file's name: it may hold personal data.
        logger.warning(
            "Unreadable IKM import file (user %s, %d bytes)", user_id, len(data), exc_info=True
        )
        raise ImportFileError(FILE_UNREADABLE) from exc
    if (found := find_formula(data, uploaded.name, formula_cells=True)) is not None:
        raise formula_error(found)


class ImportTemplateView(PermissionRequiredMixin, View):
    permission_required = "ikm.add_ikm"

    def get(self, request):
        from .importing import template_workbook

        return download(template_workbook(), "templat-impor-ikm.xlsx", XLSX)


class ImportJobView(PermissionRequiredMixin, ImportJobMixin, View):
    """The preview and, after confirming, the result; polls while work is running."""

    permission_required = "ikm.add_ikm"

    def get(self, request, pk):
        job = self.get_job()
        return render(request, "ikm/import_job.html", _job_context(job))


def _job_context(job: ImportJob) -> dict:
    from .importing import import_job_progress

    progress = import_job_progress(job)
    rows = job.rows or []
    invalid = [r for r in rows if r.get("action") == "invalid"]
    return {
        "job": job,
        "progress": progress,
        "invalid_rows": invalid,
        "changed_rows": [r for r in rows if r.get("action") in ("create", "update")][:200],
        "counts": job.counts or {},
    }


class ImportJobStatusView(PermissionRequiredMixin, ImportJobMixin, View):
    """htmx polling target: the progress bar and counts so far."""

    permission_required = "ikm.add_ikm"

    def get(self, request, pk):
        job = self.get_job()
        response = render(request, "ikm/partials/import_status.html", _job_context(job))
        if not job.is_running:
            # The work is over: reload the whole page to show the preview or result.
            response["HX-Refresh"] = "true"
        return response


class ImportConfirmView(PermissionRequiredMixin, ImportJobMixin, View):
    """Apply a checked file. Invalid rows are never imported; the rest in one transaction."""

    permission_required = "ikm.add_ikm"

    def post(self, request, pk):
        from .tasks import ikm_import_apply_task

        job = self.get_job()
        try:
            with transaction.atomic():
                claimed = ImportJob.objects.filter(
                    pk=job.pk, status=ImportJob.Status.PREVIEW_READY
                ).update(status=ImportJob.Status.QUEUED, started_at=timezone.now())
        except IntegrityError:  # the same file is being processed by another upload
            messages.error(request, _("This file is already being processed."))
            return redirect("ikm:import-job", pk=pk)
        if not claimed:
            messages.error(request, _("This import cannot be confirmed in its current state."))
            return redirect("ikm:import-job", pk=pk)
        actor_id = request.user.pk
        transaction.on_commit(lambda: ikm_import_apply_task.delay(str(job.pk), actor_id))
        return redirect("ikm:import-job", pk=pk)


class ImportErrorsView(PermissionRequiredMixin, ImportJobMixin, View):
    """The rows that could not be imported, with a `kesalahan` column, to fix and re-upload."""

    permission_required = "ikm.add_ikm"

    def get(self, request, pk):
        from .importing import error_workbook

        job = self.get_job()
        return download(error_workbook(job), f"kesalahan-impor-{str(job.pk)[:8]}.xlsx", XLSX)


class DirectoryExportView(PermissionRequiredMixin, View):
    """The (filtered) directory in the import template's columns: .xlsx or .csv."""

    permission_required = "ikm.view_ikm"

    def get(self, request):
        from .filters import DirectoryFilterSet
        from .importing import export_ikm

        fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
        queryset = IKM.objects.visible_to(request.user)
        # The directory's own filter set, so the file holds exactly the rows on screen.
        filterset = DirectoryFilterSet(request.GET, queryset=queryset, request=request)
        if not filterset.is_valid():
            messages.error(request, _("The filters are not valid; nothing was exported."))
            return redirect("ikm:directory")
        stamp = timezone.localdate().isoformat()
        content_type = "text/csv; charset=utf-8" if fmt == "csv" else XLSX
        # Contact data is personal: only roles that may see it get those columns.
        content = export_ikm(filterset.qs, fmt, include_contacts=request.user.sees_everything)
        return download(content, f"direktori-ikm-{stamp}.{fmt}", content_type)
