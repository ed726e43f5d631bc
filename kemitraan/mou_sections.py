"""Sections other apps add to the MoU's page (pembiayaan: the credit resting on the MoU),
so that kemitraan shows them without importing those apps. A section is a callable
``(request, mou) -> html or None``, as for the IKM page (:mod:`ikm.detail_sections`)."""

from ikm.detail_sections import PageSections

_mou_page = PageSections()
register_section = _mou_page.register
sections_for = _mou_page.render
