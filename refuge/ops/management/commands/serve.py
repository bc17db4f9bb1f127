import errno
import os
import socket

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from refuge.lib.env import env_int
from refuge.ops import schema
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
        parser.add_argument("--check-port", action="store_true",
                            help="only check that the port is free, and stop")

    def handle(self, *args, **options):
        problem = port_problem(options["host"], options["port"])
        if problem:
            raise CommandError(problem)
        if options["check_port"]:
            return
        if not options["no_migrate"]:
            schema.migrate_with_progress()
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
                for name, value in gunicorn_settings(bind, options["workers"],
                                                     options["threads"]).items():
                    self.cfg.set(name, value)

            def load(self):
                return application

        db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(f"Refuge on http://{bind}/ ({db}); Ctrl+C stops it.")
        Server().run()


def gunicorn_settings(bind: str, workers: int, threads: int) -> dict:
    return {
        "bind": bind, "workers": workers, "threads": threads, "worker_class": "gthread",
        "timeout": 60, "graceful_timeout": 10,
        # gunicorn's control socket is one path per user ($XDG_RUNTIME_DIR/gunicorn.ctl),
        # so a second server on the host would take the first one's; Refuge needs none.
        "control_socket_disable": True,
        # Access lines name paths only (no query strings, where nothing personal goes
        # anyway): method, path, status, size, duration.
        "accesslog": "-", "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
    }


def port_problem(host: str, port: int) -> str:
    """Why gunicorn could not listen on host:port, in one line with what to do, or "".

    Bound as gunicorn binds (SO_REUSEADDR), so a port left in TIME_WAIT by a Refuge just
    stopped counts as free; only a program listening on it counts as taking it."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return (f"Port {port} on {host} is taken (is Refuge already running?): choose "
                        f"another with ./scripts/start --port {port + 1} (or refuge serve "
                        f"--port {port + 1}).")
            if error.errno == errno.EACCES:
                return (f"Port {port} needs administrator rights: choose one above 1023, "
                        "e.g. ./scripts/start --port 8000.")
            return f"Refuge cannot listen on {host}:{port}: {error.strerror}."
    return ""
