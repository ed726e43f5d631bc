"""Uploaded documents: only PDF, JPEG or PNG up to 5 MB, recognised by their content.

The browser's content type is not trusted: the first bytes are, and the name's extension
must agree with them (an executable, a web page or an SVG renamed .pdf or .png is refused).
A document holding active content (script or web-page markup anywhere in it; in a PDF,
JavaScript, launch actions, embedded files, rich media or XFA forms, also inside
compressed object streams) is refused: a scan never needs them.
Files are stored under PRIVATE_MEDIA_ROOT with a random name (never the uploader's file
name, which may hold personal data) and are served only by views that check permission.
"""

import re
import zlib
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

DOCUMENT_TOO_LARGE = _("The file is larger than 5 MB. Upload a smaller scan.")
DOCUMENT_WRONG_TYPE = _(
    "Only PDF, JPEG or PNG files are accepted; this file's content is of another kind."
)
DOCUMENT_EMPTY = _("The file is empty.")
DOCUMENT_NAME_MISMATCH = _(
    "The file's name does not match its content (%(kind)s): upload it under a name ending "
    "in .%(extension)s."
)
DOCUMENT_ACTIVE_CONTENT = _(
    "The file holds active content (a script, an embedded file or web-page code), which a "
    "scanned document never needs: scan or print it to PDF again and upload that."
)

# The extensions a document may carry, by the kind its content is.
_EXTENSIONS = {"pdf": ("pdf",), "jpg": ("jpg", "jpeg"), "png": ("png",)}
_KIND_NAMES = {"pdf": "PDF", "jpg": "JPEG", "png": "PNG"}

# (content type, extension, signature at offset 0)
_SIGNATURES = (
    ("application/pdf", "pdf", b"%PDF-"),
    ("image/jpeg", "jpg", b"\xff\xd8\xff"),
    ("image/png", "png", b"\x89PNG\r\n\x1a\n"),
)


def sniff_document_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's first bytes, or None."""
    for content_type, extension, signature in _SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def validate_document(uploaded) -> tuple[str, str]:
    """Refuse anything but a real PDF, JPEG or PNG of at most 5 MB; return its type.

    The stored name is set from the content (``.pdf``, ``.jpg``, ``.png``), so a
    ``scan.pdf.exe`` or an SVG renamed ``.png`` never lands with a misleading extension.
    """
    size = getattr(uploaded, "size", None)
    if size == 0:
        raise ValidationError(DOCUMENT_EMPTY, code="empty")
    if size is not None and size > MAX_DOCUMENT_BYTES:
        raise ValidationError(DOCUMENT_TOO_LARGE, code="too_large")
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    kind = sniff_document_type(head)
    if kind is None:
        raise ValidationError(DOCUMENT_WRONG_TYPE, code="wrong_type")
    extension = PurePath(getattr(uploaded, "name", "") or "").suffix.lower().lstrip(".")
    if extension not in _EXTENSIONS[kind[1]]:
        raise ValidationError(
            DOCUMENT_NAME_MISMATCH % {"kind": _KIND_NAMES[kind[1]], "extension": kind[1]},
            code="name_mismatch",
        )
    content = uploaded.read(MAX_DOCUMENT_BYTES + 1)
    uploaded.seek(0)
    if has_active_content(content, kind[1]):
        raise ValidationError(DOCUMENT_ACTIVE_CONTENT, code="active_content")
    uploaded.name = f"document.{kind[1]}"
    return kind


# Markup a browser would run, in any document (a polyglot: a picture or PDF that is also a
# web page). Long markers only: shorter ones turn up by chance in compressed image data.
_MARKUP = re.compile(rb"<script|<iframe|javascript:", re.I)
# PDF names (/Name, with #xx escapes) of active content.
_PDF_NAME = re.compile(rb"/(?:[^\s/<>\[\]()%{}]|#[0-9A-Fa-f]{2})+")
_PDF_ACTIVE = {b"/javascript", b"/js", b"/launch", b"/embeddedfile", b"/embeddedfiles",
               b"/richmedia", b"/xfa", b"/aa"}  # fmt: skip
_PDF_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.S)
_PDF_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm.{0,400}?stream\r?\n", re.S)
_MAX_INFLATED = 16 * 1024 * 1024


def _pdf_names_active(data: bytes) -> bool:
    for match in _PDF_NAME.finditer(data):
        name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), match.group())
        if name.lower() in _PDF_ACTIVE:
            return True
    return False


def has_active_content(data: bytes, kind: str) -> bool:
    """Script or markup anywhere; in a PDF, active-content names, also in its compressed
    object streams (inflated up to 16 MB in all, never more)."""
    if _MARKUP.search(data):
        return True
    if kind != "pdf":
        return False
    # Names are read outside streams (image data would match by chance), and inside the
    # object streams, where a PDF 1.5+ keeps its dictionaries compressed.
    if _pdf_names_active(_PDF_STREAM.sub(b"stream endstream", data)):
        return True
    budget = _MAX_INFLATED
    for match in _PDF_OBJECT_STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(data[match.end() :], budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        if _MARKUP.search(inflated) or _pdf_names_active(inflated):
            return True
        if budget <= 0:
            return True  # object streams of more than 16 MB: not a scan
    return False


def document_response(document, name: str):
    """Stream a stored document to a user already allowed to see it (documents are never
    served by URL). The type comes from the content, not the name; an unknown type is a
    download. ``name`` is the file name without extension."""
    import mimetypes

    from django.http import FileResponse

    handle = document.open("rb")
    kind = sniff_document_type(handle.read(16))
    handle.seek(0)
    content_type = kind[0] if kind else "application/octet-stream"
    extension = mimetypes.guess_extension(content_type) or ""
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=kind is None,
        filename=f"{name}{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
