"""Sections other apps add to the MoU's page (pembiayaan: the credit resting on the MoU),
so that kemitraan shows them without importing those apps."""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

_sections: list[Callable] = []


def register_section(section: Callable) -> None:
    """``section(request, mou)`` returns the section's HTML, or None when it has nothing to
    show to ``request.user``."""
    if section not in _sections:
        _sections.append(section)


def sections_for(request, mou) -> list[SafeString]:
    rendered = []
    for section in _sections:
        html = section(request, mou)
        if html:
            rendered.append(mark_safe(html))  # rendered (and escaped) by a template
    return rendered
