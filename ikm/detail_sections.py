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


class PageSections:
    """A page's registry of sections: callables ``(request, obj) -> html or None``
    registered by higher apps, rendered in registration order. The IKM page has one here;
    ``kemitraan.mou_sections`` holds the MoU page's."""

    def __init__(self):
        self._sections: list[Callable] = []

    def register(self, section: Callable) -> None:
        if section not in self._sections:
            self._sections.append(section)

    def render(self, request, obj) -> list[SafeString]:
        """The HTML of every registered section that has something for ``request.user``."""
        rendered = []
        for section in self._sections:
            html = section(request, obj)
            if html:
                rendered.append(mark_safe(html))  # rendered (and escaped) by a template
        return rendered


_ikm_page = PageSections()
register_section = _ikm_page.register
sections_for = _ikm_page.render
