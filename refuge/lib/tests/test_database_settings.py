"""The database a deployment names is the one it connects to; settings are read without
writing, and the refuge command keeps what must survive a restart."""

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


def test_reading_the_settings_writes_nothing(tmp_path):
    var = tmp_path / "var"
    check = "import refuge.settings as s; print(len(s.SECRET_KEY))"
    env = {"PATH": "/usr/bin:/bin", "REFUGE_VAR_DIR": str(var)}
    done = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True,
                          text=True, timeout=60)
    assert int(done.stdout) > 40, done.stderr
    assert not var.exists()


def test_the_refuge_command_keeps_one_secret_key_for_every_server_process(tmp_path):
    var = tmp_path / "var"
    env = {"PATH": "/usr/bin:/bin", "REFUGE_VAR_DIR": str(var)}
    keys = set()
    for _run in range(2):
        subprocess.run([sys.executable, "-m", "refuge.cli", "check"], env=env,
                       capture_output=True, timeout=120, check=True)
        keys.add((var / "secret_key").read_text())
    assert len(keys) == 1 and (var / "static").is_dir()
