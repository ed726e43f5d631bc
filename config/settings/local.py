"""Development on one machine: `make run`. DEBUG on unless DJANGO_DEBUG says otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# runserver serves static files from the apps and static/; no collectstatic needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
