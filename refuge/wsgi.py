import os

from django.core.wsgi import get_wsgi_application

from refuge.lib.env import prepare_var_dir

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")

from refuge.lib.chunked import with_chunked_bodies  # noqa: E402 - needs the settings

prepare_var_dir()  # before the first request: every worker signs with one kept key
application = with_chunked_bodies(get_wsgi_application())
