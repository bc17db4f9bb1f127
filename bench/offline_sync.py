"""How long a desk takes to send registrations it kept while offline (issue 6).

    .venv/bin/python bench/offline_sync.py [--db sqlite|postgres] [--records 500]

Starts `refuge serve`, signs a registrar in at a desk in Debian's Chromium (through
Playwright), lets the service worker take over, goes offline and queues N households
of five as the service worker does when the network is down (straight into IndexedDB,
with the fields the desk form posts), then goes online and times until the desk's
"waiting to send" count is back to zero. Target: 500 in at most 30 s.
"""

import argparse
import json
import time
import uuid

import common

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def desk_fields(body: dict) -> list[list[str]]:
    fields = [["household_uuid", body["uuid"]]]
    for i, member in enumerate(body["members"]):
        for name in ("relationship", "given_name", "family_name", "patronymic", "sex",
                     "birth_date"):
            fields.append([f"members-{i}-{name}", member[name]])
        if member["documents"]:
            fields.append([f"members-{i}-document_kind", "passport"])
            fields.append([f"members-{i}-document_number", member["documents"][0]["number"]])
    return fields


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--records", type=int, default=500)
    args = parser.parse_args()
    env = common.db_env(args.db, "offline")
    common.manage(env, "migrate", "-v0")
    common.manage(env, "demo", "--people", "1000", "--reset")
    households = common.Households(7)
    queue = [{"path": "/desk/", "label": "bench",
              "fields": desk_fields(households.body(str(uuid.uuid4())))}
             for _ in range(args.records)]
    from playwright.sync_api import sync_playwright

    with common.serve(env) as (port, _group), sync_playwright() as playwright:
        url = f"http://127.0.0.1:{port}"
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}/login/?next=/desk/")
        page.fill("input[name=username]", "registrar")
        page.fill("input[name=password]", "registrar-demo")
        page.press("input[name=password]", "Enter")
        page.wait_for_url(f"{url}/post/**")
        page.select_option("select[name=post]", index=0)
        page.fill("input[name=desk]", "9")
        page.press("input[name=desk]", "Enter")
        page.wait_for_url(f"{url}/desk/")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        context.set_offline(True)
        page.evaluate("items => items.reduce((chain, item) => chain.then(() => "
                      "RefugeQueue.add(item)), Promise.resolve())", queue)
        page.reload()
        page.wait_for_function(f"document.getElementById('offline-status').dataset.waiting"
                               f" === '{args.records}'")
        print(f"== {args.db}: {args.records} households of five queued offline; "
              f"{json.dumps(common.machine())}")
        started = time.monotonic()
        context.set_offline(False)
        page.wait_for_function("document.getElementById('offline-status').dataset.waiting"
                               " === '0'", timeout=300_000, polling=100)
        seconds = time.monotonic() - started
        browser.close()
    count = common.manage(env, "shell", "--no-imports", "-c",
                          "from refuge.registry.models import RegistrationEvent as R; "
                          "print(R.objects.filter(desk='9').count())")
    print(f"== sent {args.records} in {seconds:.1f} s ({args.records / seconds:.0f} per s); "
          f"stored at desk 9: {count.strip()} (target: all of them, in at most 30 s)")


if __name__ == "__main__":
    main()
