"""The operator's `refuge` command, run as a real process."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def refuge(*args, env=None, **kwargs):
    command = [sys.executable, "-m", "refuge.cli", *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120, **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def scratch_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["REFUGE_VAR_DIR"] = str(tmp_path / "var")
    env["REFUGE_SEARCH_AFTER_BULK"] = "false"
    return env


def test_serve_migrates_and_serves_pages_and_static_files(scratch_env):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "refuge.cli", "serve", "--port", str(port), "--workers", "1"],
        cwd=REPO, env=scratch_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        # Migrating a new database and starting gunicorn: seconds on a quiet machine, over
        # a minute on a loaded one.
        deadline = time.monotonic() + 180
        while True:
            try:
                login = urllib.request.urlopen(f"{base}/login/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        assert login.status == 200 and b"Refuge" in login.read()
        css = urllib.request.urlopen(f"{base}/static/refuge/css/refuge.css", timeout=5)
        assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")
        assert (Path(scratch_env["REFUGE_VAR_DIR"]) / "refuge.sqlite3").exists()
        assert (Path(scratch_env["REFUGE_VAR_DIR"]) / "secret_key").exists()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)


def test_the_sqlite_database_runs_in_wal_mode(scratch_env):
    result = refuge("shell", "-c",
                    "from django.db import connection; c = connection.cursor();"
                    "print(c.execute('PRAGMA journal_mode').fetchone()[0])", env=scratch_env)
    assert result.stdout.strip().endswith("wal"), result.stderr


def test_an_acknowledged_registration_is_on_disk_before_the_answer(scratch_env):
    """synchronous=FULL: in WAL mode, NORMAL can lose the last commits on a power cut, and
    reception laptops run on generators (issue 16; its cost is in docs/benchmarks.md)."""
    result = refuge("shell", "-c",
                    "from django.db import connection; c = connection.cursor();"
                    "print(c.execute('PRAGMA synchronous').fetchone()[0])", env=scratch_env)
    assert result.stdout.strip().endswith("2"), result.stderr  # 2 is FULL, 1 NORMAL


def test_a_token_for_an_unknown_user_names_the_problem(scratch_env):
    refuge("migrate", "--verbosity", "0", env=scratch_env)
    result = refuge("token", "nobody", env=scratch_env)
    assert result.returncode != 0
    assert "username: no user called 'nobody'" in result.stderr


def test_a_bad_setting_fails_loudly(scratch_env):
    result = refuge("check", env={**scratch_env, "REFUGE_DEBUG": "maybe"})
    assert result.returncode != 0
    assert "REFUGE_DEBUG must be true or false" in result.stderr


def test_refuge_serve_binds_no_gunicorn_control_socket():
    """Two servers on one host would otherwise replace each other's socket."""
    from gunicorn.config import Config

    from refuge.ops.management.commands.serve import gunicorn_settings

    config = Config()
    for name, value in gunicorn_settings("127.0.0.1:8000", 2, 1).items():
        config.set(name, value)
    assert config.control_socket_disable is True
