"""What SQLite's synchronous=FULL costs a registration, against NORMAL (issue 16).

FULL syncs the write-ahead log at every commit, so an acknowledged registration survives
a power cut; NORMAL syncs only at checkpoints. In-process, one desk, on a file under
/tmp/bench-var-durability; the two settings alternate in blocks so the machine's load
falls on both alike.

    .venv/bin/python bench/durability.py --households 400
"""

import argparse
import os
import shutil
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=400)
    parser.add_argument("--block", type=int, default=25)
    args = parser.parse_args()
    env = common.db_env("sqlite", "durability")
    shutil.rmtree(env["REFUGE_VAR_DIR"], ignore_errors=True)
    Path(env["REFUGE_VAR_DIR"]).mkdir(parents=True)
    os.environ.update(env)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "refuge.settings"
    import django
    from faker import Faker

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from refuge.accounts.models import Post
    from refuge.conftest import make_user
    from refuge.registry import services

    call_command("migrate", verbosity=0)
    post = Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris",
                               province="Syunik")
    user = make_user("desk", "registrar")
    names = Faker("hy_AM")
    Faker.seed(16)
    times: dict[str, list[float]] = {"NORMAL": [], "FULL": []}
    done = 0
    while done < args.households:
        for mode in ("NORMAL", "FULL"):
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous={mode}")
            for _i in range(args.block):
                family = names.last_name()
                payload = {"uuid": str(uuid.uuid4()), "members": [
                    {"given_name": names.first_name_female(), "family_name": family,
                     "sex": "F", "birth_date": "1972"},
                    {"given_name": names.first_name_male(), "family_name": family,
                     "sex": "M", "birth_date": "age 7", "relationship": "child"}]}
                start = time.perf_counter()
                services.register_household(payload, user=user, post=post,
                                            ask_about_duplicates=False)
                times[mode].append(time.perf_counter() - start)
        done += args.block
    print(f"machine: {common.machine()}")
    for mode, values in times.items():
        print(f"synchronous={mode}: {len(values)} registrations, "
              f"{common.latency_row(values)}")
    normal = common.percentile(times["NORMAL"], 50)
    full = common.percentile(times["FULL"], 50)
    print(f"FULL / NORMAL, median: {full / normal:.2f}")


if __name__ == "__main__":
    main()
