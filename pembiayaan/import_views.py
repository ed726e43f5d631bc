"""Importing akad kredit from a workbook, for a lender's officer: upload, preview (a dry run
listing every row's outcome), apply, error workbook, template. The engine is
:mod:`pembiayaan.akad_import`; the work is synchronous (files of at most a few thousand
rows), like the PO import (:mod:`kemitraan.po_import_views`), whose screens these mirror.

The uploaded file is kept in the default (private) storage under ``akad-imports/`` with a
random name. The preview, apply and error-workbook steps are given a token signed with
:mod:`django.core.signing` (valid :data:`TOKEN_MAX_AGE` seconds) that names the lender, the
user, the stored file and its SHA-256: nothing is kept in the session, another user's file
cannot be reached, and a file changed in storage is refused.

Access: a lender officer (role pembiayaan with ``pembiayaan.add_akadkredit``) whose
organisation is a lender; the akad are always recorded for that lender. Anyone else signed
in gets 403.

Confirming sends the rows the preview promised to record; when the outcome has changed
since (an akad recorded meanwhile, a rule that now refuses a row), nothing is written and
the fresh preview is shown again with a message (409).
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
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.roles import Role
from ikm.importing import FILE_XLS, ImportFileError
from kemitraan.po_import_views import APPLY_FAILED, CHECK_FAILED, TOKEN_INVALID, download_xlsx

from . import akad_import
from .models import LenderProfile

logger = logging.getLogger("pembiayaan.akad_import")

UPLOAD_DIR = "akad-imports"
TOKEN_SALT = "pembiayaan.akad-import"
TOKEN_MAX_AGE = 2 * 60 * 60  # seconds
TOKEN_PARAM = "berkas"
PLAN_PARAM = "rencana"

UPLOAD_MISSING = gettext_lazy("Choose an .xlsx workbook to upload.")
UPLOAD_TEMPLATE = "pembiayaan/import/upload.html"
PREVIEW_TEMPLATE = "pembiayaan/import/preview.html"


class _StoredFileGone(Exception):
    pass


def _sweep_old_files() -> None:
    """Remove stored imports older than the token's lifetime (best effort)."""
    limit = timezone.now() - datetime.timedelta(seconds=TOKEN_MAX_AGE)
    with contextlib.suppress(OSError, NotImplementedError):
        for name in default_storage.listdir(UPLOAD_DIR)[1]:
            path = f"{UPLOAD_DIR}/{name}"
            with contextlib.suppress(OSError, NotImplementedError):
                if default_storage.get_modified_time(path) < limit:
                    default_storage.delete(path)


def _plan(text: str) -> list[int]:
    """The row numbers of the apply form ("2,3,7"); anything else is no row."""
    return sorted({int(part) for part in (text or "").split(",") if part.strip().isdigit()})


class AkadImportMixin(PermissionRequiredMixin):
    permission_required = "pembiayaan.add_akadkredit"

    def has_permission(self):
        user = self.request.user
        if not super().has_permission() or user.role != Role.PEMBIAYAAN:
            return False
        if not user.organisation_id:
            return False
        self.lender = (
            LenderProfile.objects.select_related("organisation")
            .filter(organisation_id=user.organisation_id)
            .first()
        )
        return self.lender is not None

    def upload_page(self, error=None, status=200):
        context = {
            "lender": self.lender,
            "error": error,
            "max_mb": akad_import.MAX_FILE_BYTES // (1024 * 1024),
            "max_rows": akad_import.MAX_ROWS,
        }
        return render(self.request, UPLOAD_TEMPLATE, context, status=status)

    def preview_page(self, *, file_name, token, result, applied, status=200):
        rows = result["rows"]
        context = {
            "lender": self.lender,
            "file_name": file_name,
            "token": token,
            "token_param": TOKEN_PARAM,
            "plan_param": PLAN_PARAM,
            "plan": ",".join(str(n) for n in akad_import.planned_rows(result)),
            "applied": applied,
            "rows": rows,
            "counts": result["counts"],
            "warnings": result["warnings"],
            "has_invalid": any(r["outcome"] == "invalid" for r in rows),
        }
        return render(self.request, PREVIEW_TEMPLATE, context, status=status)

    # The signed token and the stored file.

    def make_token(self, *, stored: str, file_name: str, digest: str) -> str:
        payload = {"l": self.lender.pk, "u": self.request.user.pk, "f": stored, "n": file_name}
        payload["h"] = digest
        return signing.dumps(payload, salt=TOKEN_SALT, compress=True)

    def load(self, token: str) -> tuple[bytes, str]:
        """(file content, original file name) of a valid token; raises _StoredFileGone."""
        try:
            data = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature as exc:  # SignatureExpired is one too
            raise _StoredFileGone from exc
        stored = str(data.get("f", ""))
        if (
            data.get("l") != self.lender.pk
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

    def start_again(self, message=TOKEN_INVALID):
        messages.error(self.request, message)
        return redirect("pembiayaan:akad-import")


class AkadImportUploadView(AkadImportMixin, View):
    """The upload form; a readable file is stored and its preview shown."""

    def get(self, request):
        return self.upload_page()

    def post(self, request):
        uploaded = request.FILES.get("file")
        if uploaded is None:
            return self.upload_page(UPLOAD_MISSING, status=422)
        file_name = Path(uploaded.name or "").name
        extension = Path(file_name.lower()).suffix
        if extension == ".xls":
            return self.upload_page(FILE_XLS, status=422)
        if extension != ".xlsx":
            return self.upload_page(akad_import.FILE_TYPE, status=422)
        if uploaded.size > akad_import.MAX_FILE_BYTES:
            return self.upload_page(akad_import.FILE_TOO_LARGE, status=422)
        content = uploaded.read()
        try:
            table = akad_import.read(content, file_name)
            akad_import.map_columns(table.headers)
        except ImportFileError as exc:
            return self.upload_page(exc.text, status=422)
        _sweep_old_files()
        stored = default_storage.save(
            f"{UPLOAD_DIR}/{secrets.token_hex(16)}{extension}", ContentFile(content)
        )
        token = self.make_token(
            stored=stored, file_name=file_name[:200], digest=hashlib.sha256(content).hexdigest()
        )
        return redirect(f"{reverse('pembiayaan:akad-import-preview')}?{TOKEN_PARAM}={token}")


class AkadImportPreviewView(AkadImportMixin, View):
    """Every row with what it would record, why it is skipped or why it is refused."""

    def get(self, request):
        token = request.GET.get(TOKEN_PARAM, "")
        try:
            content, file_name = self.load(token)
            result = akad_import.preview(content, file_name, lender=self.lender, actor=request.user)
        except _StoredFileGone:
            return self.start_again()
        except ImportFileError as exc:
            return self.upload_page(exc.text, status=422)
        except DatabaseError:
            logger.exception("Akad import preview for lender %s failed", self.lender.pk)
            return self.upload_page(CHECK_FAILED, status=503)
        return self.preview_page(file_name=file_name, token=token, result=result, applied=False)


class AkadImportApplyView(AkadImportMixin, View):
    """Check every row again and record exactly what the preview showed, in one
    transaction, or nothing; the page then shows what was done."""

    def post(self, request):
        token = request.POST.get(TOKEN_PARAM, "")
        try:
            content, file_name = self.load(token)
            result = akad_import.apply(
                content,
                file_name,
                lender=self.lender,
                actor=request.user,
                expected=_plan(request.POST.get(PLAN_PARAM, "")),
            )
        except _StoredFileGone:
            return self.start_again()
        except ImportFileError as exc:
            return self.upload_page(exc.text, status=422)
        except akad_import.OutcomeChanged as changed:
            messages.error(request, akad_import.OUTCOME_CHANGED)
            return self.preview_page(
                file_name=file_name, token=token, result=changed.result, applied=False, status=409
            )
        except DatabaseError:
            logger.exception("Akad import for lender %s failed", self.lender.pk)
            return self.upload_page(APPLY_FAILED, status=503)
        messages.success(
            request,
            _(
                "Import done: %(new)s akad recorded, %(disbursement)s with a disbursement; "
                "%(unchanged)s already recorded and %(invalid)s rows with errors were skipped."
            )
            % result["counts"],
        )
        return self.preview_page(file_name=file_name, token=token, result=result, applied=True)


class AkadImportErrorsView(AkadImportMixin, View):
    """The rows with errors (as of now) and a ``kesalahan`` column, to fix and upload."""

    def get(self, request):
        try:
            content, file_name = self.load(request.GET.get(TOKEN_PARAM, ""))
            result = akad_import.preview(content, file_name, lender=self.lender, actor=request.user)
        except _StoredFileGone:
            return self.start_again()
        except ImportFileError as exc:
            return self.upload_page(exc.text, status=422)
        except DatabaseError:
            logger.exception("Akad import error workbook for lender %s failed", self.lender.pk)
            return self.upload_page(CHECK_FAILED, status=503)
        workbook = akad_import.error_workbook(content, file_name, result["rows"])
        return download_xlsx(workbook, "kesalahan-impor-akad.xlsx")


class AkadImportTemplateView(AkadImportMixin, View):
    def get(self, request):
        return download_xlsx(akad_import.template_workbook(), "templat-impor-akad.xlsx")
