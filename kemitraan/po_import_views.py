"""Importing POs, deliveries and payments into an MoU's ledger from a spreadsheet: upload,
preview (a dry run listing every row's outcome), apply, error workbook, template. The engine
is :mod:`kemitraan.po_import`; the work is synchronous (files of a few thousand rows).

The uploaded file is kept in the default (private) storage under ``po-imports/`` with a
random name. The preview, apply and error-workbook steps are given a token signed with
:mod:`django.core.signing` (valid :data:`TOKEN_MAX_AGE` seconds) that names the MoU, the
user, the stored file and its SHA-256: nothing is kept in the session, another user's or
MoU's file cannot be reached, and a file changed in storage is refused.

Access is that of recording on the ledger: a role without the add permissions of POs,
deliveries and payments gets 403; an MoU outside the user's scope is a 404; a user who
may not record on this MoU (:func:`kemitraan.realisation.can_record`) gets 403.
"""

import contextlib
import datetime
import hashlib
import logging
import secrets
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from ikm.importing import FILE_TYPE, XLSX_CONTENT_TYPE, ImportFileError
from ikm.uploads import DOCUMENT_EMPTY

from . import po_import, realisation
from .models import MoU, MouParticipant

logger = logging.getLogger("kemitraan.po_import")

UPLOAD_DIR = "po-imports"
TOKEN_SALT = "kemitraan.po-import"
TOKEN_MAX_AGE = 2 * 60 * 60  # seconds
TOKEN_PARAM = "berkas"

UPLOAD_MISSING = gettext_lazy("Choose an .xlsx or .csv file to upload.")
TOKEN_INVALID = gettext_lazy(
    "This import has expired or its file is no longer available: upload the file again."
)
APPLY_FAILED = gettext_lazy(
    "The import stopped because of an unexpected error; nothing was written. Try again, or "
    "ask an administrator."
)
CHECK_FAILED = gettext_lazy(
    "The file could not be checked because of an unexpected error; nothing was written. "
    "Try again, or ask an administrator."
)
UPLOAD_TEMPLATE = "kemitraan/realisation/po_import_upload.html"
PREVIEW_TEMPLATE = "kemitraan/realisation/po_import_preview.html"


class _StoredFileGone(Exception):
    pass


def download_xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _sweep_old_files() -> None:
    """Remove stored imports older than the token's lifetime (best effort)."""
    limit = timezone.now() - datetime.timedelta(seconds=TOKEN_MAX_AGE)
    with contextlib.suppress(OSError, NotImplementedError):
        for name in default_storage.listdir(UPLOAD_DIR)[1]:
            path = f"{UPLOAD_DIR}/{name}"
            with contextlib.suppress(OSError, NotImplementedError):
                if default_storage.get_modified_time(path) < limit:
                    default_storage.delete(path)


class PoImportMixin(PermissionRequiredMixin):
    permission_required = (
        "kemitraan.add_purchaseorder",
        "kemitraan.add_delivery",
        "kemitraan.add_payment",
    )

    def get_mou(self) -> MoU:
        mou = get_object_or_404(
            MoU.objects.visible_to(self.request.user).select_related("buyer__organisation"),
            pk=self.kwargs["pk"],
        )
        if not realisation.can_record(self.request.user, mou):
            raise PermissionDenied
        return mou

    def upload_page(self, mou, error=None, status=200):
        context = {
            "mou": mou,
            "error": error,
            "max_mb": po_import.MAX_FILE_BYTES // (1024 * 1024),
            "max_rows": po_import.MAX_ROWS,
        }
        return render(self.request, UPLOAD_TEMPLATE, context, status=status)

    # The signed token and the stored file.

    def make_token(self, mou, *, stored: str, file_name: str, digest: str) -> str:
        payload = {"m": mou.pk, "u": self.request.user.pk, "f": stored, "n": file_name}
        payload["h"] = digest
        return signing.dumps(payload, salt=TOKEN_SALT, compress=True)

    def load(self, mou, token: str) -> tuple[bytes, str]:
        """(file content, original file name) of a valid token; raises _StoredFileGone."""
        try:
            data = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature as exc:  # SignatureExpired is one too
            raise _StoredFileGone from exc
        stored = str(data.get("f", ""))
        if (
            data.get("m") != mou.pk
            or data.get("u") != self.request.user.pk
            or not stored.startswith(f"{UPLOAD_DIR}/")
            or ".." in stored
        ):
            raise _StoredFileGone
        try:
            with default_storage.open(stored, "rb") as handle:
                content = handle.read()
        except (OSError, ValueError) as exc:
            raise _StoredFileGone from exc
        if hashlib.sha256(content).hexdigest() != data.get("h"):
            raise _StoredFileGone
        return content, str(data.get("n", ""))

    def start_again(self, mou, message=TOKEN_INVALID):
        messages.error(self.request, message)
        return redirect("kemitraan:po-import", pk=mou.pk)


def _rows_context(mou, result: dict) -> dict:
    names = dict(MouParticipant.objects.filter(mou=mou).values_list("ikm__nib", "ikm__name"))
    rows = result["rows"]
    for row in rows:
        row["ikm_name"] = names.get(row["nib"], "")
    return {
        "rows": rows,
        "counts": result["counts"],
        "warnings": result["warnings"],
        "has_invalid": any(r["outcome"] == "invalid" for r in rows),
    }


class PoImportUploadView(PoImportMixin, View):
    """The upload form; a readable file is stored and its preview shown."""

    def get(self, request, pk):
        return self.upload_page(self.get_mou())

    def post(self, request, pk):
        mou = self.get_mou()
        uploaded = request.FILES.get("file")
        if uploaded is None:
            return self.upload_page(mou, UPLOAD_MISSING, status=422)
        file_name = Path(uploaded.name or "").name
        extension = Path(file_name.lower()).suffix
        if extension not in (".xlsx", ".csv"):
            return self.upload_page(mou, FILE_TYPE, status=422)
        if uploaded.size > po_import.MAX_FILE_BYTES:
            return self.upload_page(mou, po_import.FILE_TOO_LARGE, status=422)
        if not uploaded.size:
            return self.upload_page(mou, DOCUMENT_EMPTY, status=422)
        content = uploaded.read()
        try:
            table = po_import.read(content, file_name)
            po_import.map_columns(table.headers)
        except ImportFileError as exc:
            return self.upload_page(mou, exc.text, status=422)
        _sweep_old_files()
        stored = default_storage.save(
            f"{UPLOAD_DIR}/{secrets.token_hex(16)}{extension}", ContentFile(content)
        )
        token = self.make_token(
            mou,
            stored=stored,
            file_name=file_name[:200],
            digest=hashlib.sha256(content).hexdigest(),
        )
        url = reverse("kemitraan:po-import-preview", args=[mou.pk])
        return redirect(f"{url}?{TOKEN_PARAM}={token}")


class PoImportPreviewView(PoImportMixin, View):
    """Every row with what it would record, leave unchanged or why it is refused."""

    def get(self, request, pk):
        mou = self.get_mou()
        token = request.GET.get(TOKEN_PARAM, "")
        try:
            content, file_name = self.load(mou, token)
            result = po_import.preview(content, file_name, mou=mou, actor=request.user)
        except _StoredFileGone:
            return self.start_again(mou)
        except ImportFileError as exc:
            return self.upload_page(mou, exc.text, status=422)
        except DatabaseError:
            logger.exception("PO import preview for MoU %s failed", mou.pk)
            return self.upload_page(mou, CHECK_FAILED, status=503)
        context = {
            "mou": mou,
            "file_name": file_name,
            "token": token,
            "token_param": TOKEN_PARAM,
            "applied": False,
            **_rows_context(mou, result),
        }
        return render(request, PREVIEW_TEMPLATE, context)


class PoImportApplyView(PoImportMixin, View):
    """Check every row again against the current database and record the valid ones in
    one transaction; the page then shows what was done."""

    def post(self, request, pk):
        mou = self.get_mou()
        token = request.POST.get(TOKEN_PARAM, "")
        try:
            content, file_name = self.load(mou, token)
            result = po_import.apply(content, file_name, mou=mou, actor=request.user)
        except _StoredFileGone:
            return self.start_again(mou)
        except ImportFileError as exc:
            return self.upload_page(mou, exc.text, status=422)
        except DatabaseError:
            logger.exception("PO import into MoU %s failed", mou.pk)
            return self.upload_page(mou, APPLY_FAILED, status=503)
        counts = result["counts"]
        messages.success(
            request,
            _(
                "Import done: %(po)s POs, %(delivery)s deliveries and %(payment)s payments "
                "recorded; %(invalid)s rows with errors were skipped."
            )
            % counts,
        )
        context = {
            "mou": mou,
            "file_name": file_name,
            "token": token,
            "token_param": TOKEN_PARAM,
            "applied": True,
            **_rows_context(mou, result),
        }
        return render(request, PREVIEW_TEMPLATE, context)


class PoImportErrorsView(PoImportMixin, View):
    """The rows with errors (as of now) and a ``kesalahan`` column, to fix and upload."""

    def get(self, request, pk):
        mou = self.get_mou()
        try:
            content, file_name = self.load(mou, request.GET.get(TOKEN_PARAM, ""))
            result = po_import.preview(content, file_name, mou=mou, actor=request.user)
        except _StoredFileGone:
            return self.start_again(mou)
        except ImportFileError as exc:
            return self.upload_page(mou, exc.text, status=422)
        workbook = po_import.error_workbook(content, file_name, result["rows"])
        return download_xlsx(workbook, f"kesalahan-impor-po-{mou.pk}.xlsx")


class PoImportTemplateView(PoImportMixin, View):
    def get(self, request, pk):
        self.get_mou()
        return download_xlsx(po_import.template_workbook(), "templat-impor-po.xlsx")
