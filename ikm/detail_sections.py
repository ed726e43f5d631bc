"""Extra sections of the IKM page, provided by higher apps.

ikm never imports the apps above it: kemitraan registers a callable in its
``AppConfig.ready()`` (as it does with :func:`ikm.contacts.register_contact_rule`) and the
IKM page renders whatever the registered callables return, in registration order.

A section is a callable ``(request, ikm) -> str | None``: the section's HTML (already
escaped, e.g. from ``render_to_string``), or None/"" when it has nothing to show to this
user. It decides itself who may see it.
"""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

# Callables (request, ikm) -> html or None, registered by higher apps.
_sections: list[Callable] = []


def register_section(section: Callable) -> None:
    if section not in _sections:
        _sections.append(section)


def sections_for(request, ikm) -> list[SafeString]:
    """The HTML of every registered section that has something for ``request.user``."""
    rendered = []
    for section in _sections:
        html = section(request, ikm)
        if html:
            rendered.append(mark_safe(html))  # rendered (and escaped) by a template
    return rendered
