import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")

from refuge.lib.chunked import with_chunked_bodies  # noqa: E402 - needs the settings

application = with_chunked_bodies(get_wsgi_application())
