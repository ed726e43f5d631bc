"""Signals the registry sends for higher apps (ikm never imports them).

``registry_bulk_changed`` is sent after an import has committed: many IKM were created or
updated at once with bulk queries, which send no ``post_save``. kemitraan listens to
recompute its match suggestions.
"""

from django.dispatch import Signal

registry_bulk_changed = Signal()  # kwargs: created (int), updated (int)
