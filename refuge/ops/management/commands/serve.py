import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from refuge.lib.env import env_int
from refuge.reports import pdf


class Command(BaseCommand):
    help = "Migrate, collect static files, and serve Refuge with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("REFUGE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("REFUGE_PORT", 8000))
        # One worker per core, one thread each: measured fastest on 2 cores (see
        # docs/benchmarks.md); more only fight over the GIL and the SQLite write lock.
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                            help="gunicorn worker processes")
        parser.add_argument("--threads", type=int, default=1, help="threads per worker")
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, **options):
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        try:
            pdf.prepare_fonts()
        except pdf.FontMissing as missing:  # everything but the PDF report still works
            self.stderr.write(str(missing))
        from gunicorn.app.base import BaseApplication

        from refuge.wsgi import application

        bind = f"{options['host']}:{options['port']}"

        class Server(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", bind)
                self.cfg.set("workers", options["workers"])
                self.cfg.set("threads", options["threads"])
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("timeout", 60)
                self.cfg.set("graceful_timeout", 10)
                # Access lines name paths only (no query strings, where nothing
                # personal goes anyway): method, path, status, size, duration.
                self.cfg.set("accesslog", "-")
                self.cfg.set("access_log_format", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms')

            def load(self):
                return application

        db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(f"Refuge on http://{bind}/ ({db}); Ctrl+C stops it.")
        Server().run()
