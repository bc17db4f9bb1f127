import os

from django.core.wsgi import get_wsgi_application

from refuge.lib.env import prepare_var_dir

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
prepare_var_dir()  # before the first request: every worker signs with one kept key
application = get_wsgi_application()
