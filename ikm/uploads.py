"""Uploaded documents: only PDF, JPEG or PNG up to 5 MB, recognised by their content.

The extension and the browser's content type are not trusted: the first bytes are.
Files are stored under PRIVATE_MEDIA_ROOT with a random name (never the uploader's file
name, which may hold personal data) and are served only by views that check permission.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

DOCUMENT_TOO_LARGE = _("The file is larger than 5 MB. Upload a smaller scan.")
DOCUMENT_WRONG_TYPE = _(
    "Only PDF, JPEG or PNG files are accepted; this file's content is of another kind."
)
DOCUMENT_EMPTY = _("The file is empty.")

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
    uploaded.name = f"document.{kind[1]}"
    return kind


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
