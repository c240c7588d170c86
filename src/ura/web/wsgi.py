"""WSGI entry point: ``ura serve`` and any production WSGI server load ``application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ura.web.settings")
application = get_wsgi_application()
