"""The database a deployment names is the one it connects to."""

import subprocess
import sys


def test_a_database_url_for_sqlite_still_connects(tmp_path):
    check = ("import django; django.setup(); from django.db import connection; "
             "connection.ensure_connection(); print(connection.vendor)")
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "refuge.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite3'}",
           "REFUGE_VAR_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip() == "sqlite", done.stderr
