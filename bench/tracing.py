"""Tracing evaluation: requests written by registered relatives against the cross-script
registry of bench/families.py, scored by Refuge's tracing matcher beside a baseline.

    .venv/bin/python bench/tracing.py --records 20000 --requests 1500

Requests are written as field teams write them: by a registered relative, in the
script of the relative's own registration; an approximate age instead of a birth date
six times in ten; no family name three times in ten; a father's name four in ten; a
typo now and then. A third of the sought were never registered (every record of theirs
is taken out of the registry, while their relatives stay).

The registry is looked up in memory with the same keys refuge.tracing.matching asks the
database for (pairs of name keys, either way round, also with a Russian г read as h; the
given name with a birth year within three; the given name alone, with neither a year
nor a family name), and every candidate is scored by
`refuge.tracing.scoring.score`, the code the app runs. No database: this measures
accuracy, not the cost of the queries.

Baseline, in the same run: the exact transliterated given name (and family name, when
given) with a birth year within two, the nearest year first; "likely found" whenever
one such record exists.

The enquirer is registered: their own family name and place of origin, as registered,
stand in for those the request leaves out (`scoring.with_hints`; `--no-hints` without).
`--misses N` prints the requests whose true person is not the top candidate, and those
of the never registered where someone is likely found, with every candidate's levels.

Reported: for registered sought persons, how often the true person is the top
candidate; for the never registered, how often no candidate reaches "likely found";
and the per-request scoring time.
"""

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.stdout.reconfigure(line_buffering=True)

import os  # noqa: E402

import django  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
django.setup()

from bench import families  # noqa: E402
from refuge.lib import names  # noqa: E402
from refuge.matching import normalise  # noqa: E402
from refuge.matching.comparison import RecordRow  # noqa: E402
from refuge.matching.engine import rows_from_dicts  # noqa: E402
from refuge.matching.fellegi_sunter import Model  # noqa: E402
from refuge.tracing import matching, scoring  # noqa: E402

YEAR = families.YEAR
# Whether the enquirer's own family name and origin stand in for those left out
# (`scoring.with_hints`); --no-hints measures without.
HINTS = True


def registry_with_truth(records: int, seed: int):
    """The cross-script registry as bench/families.py builds it, keeping each
    registration's people, so requests can be written about them."""
    rng = random.Random(seed)
    regs = families.registrations(rng, records, 0.3)
    scripts = families.desk_scripts(rng, regs, True)
    rows, script_of = [], {}
    for number, (reg, script) in enumerate(zip(regs, scripts, strict=True), 1):
        desk = families.Desk(script, careless=reg.second or rng.random() < 0.2,
                             with_contacts=False)
        for person in reg.members:
            row = families.row_for(rng, person, desk, f"H{number:07d}", "", "")
            rows.append(row)
            script_of.setdefault(person.entity_id, script)
    for number, row in enumerate(rows, 1):
        row["record_id"] = f"R{number:07d}"
    people = {p.entity_id: p for reg in regs for p in reg.members}
    return rows, people, script_of


def write_request(rng: random.Random, sought, script: str) -> dict:
    """A description of `sought` as a relative writes it in `script`."""
    given = families.name_in(rng, sought.given, script)
    if rng.random() < 0.05:
        given = families.typo(rng, given, names.detect_script(given))
    family = "" if rng.random() < 0.3 else families.name_in(rng, sought.surname, script)
    father = families.patronymic_in(rng, sought, script) if rng.random() < 0.4 else ""
    roll = rng.random()
    age = None
    birth = ""
    if roll < 0.6:
        age = YEAR - sought.year + rng.choice((0, 0, 0, -1, 1))
    elif roll < 0.85:
        birth = f"{sought.year}-{sought.month:02d}-{sought.day:02d}"
    elif roll < 0.95:
        birth = str(sought.year)
    return {"given_name": given, "family_name": family, "patronymic": father,
            "sex": sought.sex if rng.random() < 0.9 else "", "age": age, "birth_date": birth,
            "origin": families.name_in(rng, sought.origin, script) if rng.random() < 0.5 else ""}


def requests(rows, people, script_of, count: int, seed: int):
    """(request, true entity or None) pairs, and the registry rows left: a third of the
    sought are taken out of the registry, with every record of theirs."""
    rng = random.Random(seed)
    by_family = defaultdict(list)
    for entity, person in people.items():
        by_family[person.family_id].append(entity)
    registered = {int(r["entity_id"]) for r in rows}
    chosen, removed = [], set()
    candidates = [e for e in registered if len(by_family[people[e].family_id]) > 1]
    rng.shuffle(candidates)
    for entity in candidates:
        if len(chosen) == count:
            break
        relatives = [e for e in by_family[people[entity].family_id]
                     if e != entity and e not in removed and e not in {c[0] for c in chosen}]
        if not relatives:
            continue
        writer = rng.choice(relatives)
        never = rng.random() < 1 / 3
        if never:
            removed.add(entity)
        chosen.append((entity, writer, never))
    kept = [r for r in rows if int(r["entity_id"]) not in removed]
    first_row = {}
    for row in rows:
        first_row.setdefault(int(row["entity_id"]), row)
    made = []
    for entity, writer, never in chosen:
        request = write_request(rng, people[entity], script_of[writer])
        # The enquirer is registered: their own family name and origin, as registered.
        request["enquirer_family"] = first_row[writer]["family_name"]
        request["enquirer_origin"] = first_row[writer]["place_of_origin"]
        made.append((request, None if never else entity))
    return made, kept


def request_row(index: int, request: dict) -> tuple[RecordRow, bool, tuple]:
    if request["age"] is not None:
        birth, estimated = normalise.BirthParts(YEAR - request["age"]), True
    else:
        birth, estimated = normalise.birth_from_text(request["birth_date"]), False
    row = RecordRow(("sought", index), ("enquiry", index), ("enquiry", index),
                    request["given_name"], request["family_name"], request["patronymic"],
                    request["sex"], birth, request["origin"])
    if not HINTS:
        return row, estimated, ()
    row, hinted = scoring.with_hints(row, request["enquirer_family"],
                                      request["enquirer_origin"])
    return row, estimated, hinted


def readings(given: str, family: str, father: str) -> tuple[set, set, set]:
    def both(text):
        return {names.search_key(text), normalise.key_h(text)} - {""}
    return both(given), both(family), both(names.patronymic_stem(father))


class Index:
    """The registry's rows by the keys the tracing matcher looks them up by."""

    def __init__(self, rows: list[dict]):
        self.rows = rows
        self.by = defaultdict(list)
        self.by_given = defaultdict(list)
        self.latin = defaultdict(list)
        for i, row in enumerate(rows):
            year = normalise.birth_from_text(row["birth_date"]).year
            g, f, p = readings(row["given_name"], row["family_name"], row["patronymic"])
            for a in g:
                self.by[("gy", a, year)].append(i)
                self.by_given[a].append(i)
                for b in f:
                    self.by[("gf", a, b)].append(i)
                for b in p:
                    self.by[("gp", a, b)].append(i)
            for a in f:
                for b in p:
                    self.by[("fp", a, b)].append(i)
            self.latin[names.to_latin(row["given_name"]).lower()].append((i, year))

    def candidates(self, request: dict, year: int) -> list[int]:
        g, f, p = readings(request["given_name"], request["family_name"],
                           request["patronymic"])
        found = set()
        for a in g:
            for b in f:
                found.update(self.by[("gf", a, b)] + self.by[("gf", b, a)])
            for b in p:
                found.update(self.by[("gp", a, b)])
            if year:
                for y in range(year - 3, year + 4):
                    found.update(self.by[("gy", a, y)])
            elif not f:
                found.update(self.by_given[a])
        for a in f:
            for b in p:
                found.update(self.by[("fp", a, b)])
        return sorted(found)[:matching.LOOKED_AT]


def baseline(index: Index, request: dict, year: int) -> list[int]:
    """Exact transliterated names with a birth year within two, nearest year first."""
    given = names.to_latin(request["given_name"]).lower()
    family = names.to_latin(request["family_name"]).lower()
    found = []
    for i, born in index.latin.get(given, []):
        row = index.rows[i]
        if family and names.to_latin(row["family_name"]).lower() != family:
            continue
        if year and born and abs(born - year) > 2:
            continue
        found.append((abs(born - year) if year and born else 99, i))
    return [i for _d, i in sorted(found)]


def show_miss(request: dict, truth: int, kept: list[dict], found: list[int], scored,
              entity_of: list[int]) -> None:
    """A request whose true person is not the top candidate: the request, the true
    person's records (found or not) and the three best, with their levels."""
    print("MISS" if truth else "NEVER REGISTERED, LIKELY",
          {k: v for k, v in request.items() if v not in ("", None)})
    levels = {s.key: (s.probability, s.levels) for s in scored}
    shown = set()
    for s in sorted(scored, key=lambda s: -s.probability)[:3]:
        shown.add(s.key)
    for row in kept:
        if int(row["entity_id"]) == truth and row["record_id"] not in shown:
            shown.add(row["record_id"])
    for key in sorted(shown, key=lambda k: -levels.get(k, (0,))[0]):
        row = next(r for r in kept if r["record_id"] == key)
        p, lv = levels.get(key, (None, None))
        mark = "TRUE" if int(row["entity_id"]) == truth else "    "
        if truth is None:
            mark = row["relation"][:4]
        lv = " ".join(f"{k[:3]}={v}" for k, v in lv.items() if v != -1) if lv else "NOT LOOKED UP"
        p = f"{p:.3f}" if p is not None else "-"
        print(f"  {mark} {p} {row['given_name']} {row['family_name']} {row['patronymic']} "
              f"{row['sex']} {row['birth_date']} {row['place_of_origin']} | {lv}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--misses", type=int, default=0,
                        help="print this many requests whose true person is not on top")
    parser.add_argument("--no-hints", action="store_true",
                        help="leave out the enquirer's family name and origin")
    args = parser.parse_args()
    global HINTS
    HINTS = not args.no_hints
    started = time.perf_counter()
    rows, people, script_of = registry_with_truth(args.records, args.seed)
    made, kept = requests(rows, people, script_of, args.requests, args.seed + 1)
    index = Index(kept)
    registry_rows = rows_from_dicts(kept)
    entity_of = [int(r["entity_id"]) for r in kept]
    print(f"registry {len(kept)} records, {len(made)} requests "
          f"({sum(t is None for _r, t in made)} never registered); built in "
          f"{time.perf_counter() - started:.1f} s")
    model = Model()
    tally = defaultdict(int)
    seconds, tops = [], []
    for n, (request, truth) in enumerate(made):
        row, estimated, hinted = request_row(n, request)
        year = row.birth.year
        found = index.candidates(request, year)
        t0 = time.perf_counter()
        scored = scoring.score([row, *(registry_rows[i] for i in found)],
                                [estimated, *(False for _ in found)],
                                [(0, k + 1) for k in range(len(found))],
                                len(kept), model,
                                **({"hinted": {0: hinted}} if hinted else {}))
        seconds.append(time.perf_counter() - t0)
        by_position = {s.key: s.probability for s in scored}
        ranked = sorted(((p, entity_of[found[k]]) for k, p in enumerate(
            by_position[registry_rows[i].record_id] for i in found)), reverse=True)
        top = ranked[0] if ranked else (0.0, None)
        shown_never = truth is None and top[0] >= matching.LIKELY_FOUND
        if ((truth is not None and top[1] != truth) or shown_never) and \
                tally["shown"] < args.misses:
            tally["shown"] += 1
            show_miss(request, truth, kept, found, scored, entity_of)
        tops.append((top[0], top[1] == truth, truth is None))
        base = baseline(index, request, year)
        base_top = entity_of[base[0]] if base else None
        if truth is None:
            tally["never"] += 1
            tally["never_quiet"] += top[0] < matching.LIKELY_FOUND
            tally["never_quiet_base"] += not base
        else:
            tally["registered"] += 1
            tally["top"] += top[1] == truth
            tally["top_likely"] += top[1] == truth and top[0] >= matching.LIKELY_FOUND
            tally["top_base"] += base_top == truth
            if top[1] != truth:
                true_p = max((p for p, e in ranked if e == truth), default=None)
                tally["miss_unseen" if true_p is None else
                      "miss_tied" if true_p == top[0] else "miss_below"] += 1
            tally["wrong_likely"] += top[1] != truth and top[0] >= matching.LIKELY_FOUND
            tally["wrong_likely_base"] += bool(base) and base_top != truth
    reg, never = tally["registered"], tally["never"]
    seconds.sort()
    p95 = seconds[int(0.95 * (len(seconds) - 1))] * 1000

    def share(k, total):
        return f"{100 * tally[k] / max(total, 1):.1f} %"

    print(f"| measure | Refuge (likely found ≥ {matching.LIKELY_FOUND}) | baseline |")
    print("|---|---|---|")
    print(f"| registered ({reg}): true person is the top candidate | {share('top', reg)} "
          f"| {share('top_base', reg)} |")
    print(f"| registered: top candidate true and likely found | {share('top_likely', reg)} "
          f"| {share('top_base', reg)} |")
    print(f"| registered: a wrong person likely found | {share('wrong_likely', reg)} "
          f"| {share('wrong_likely_base', reg)} |")
    print(f"| never registered ({never}): no candidate likely found "
          f"| {share('never_quiet', never)} | {share('never_quiet_base', never)} |")
    print(f"misses: true person never looked up {tally['miss_unseen']}, tied with the top "
          f"{tally['miss_tied']}, ranked below it {tally['miss_below']}")
    print("| likely found at | registered: true top and likely | never registered: none likely |")
    print("|---|---|---|")
    for threshold in (0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99):
        found = sum(p >= threshold and right for p, right, never in tops if not never)
        quiet = sum(p < threshold for p, _right, never in tops if never)
        print(f"| {threshold} | {100 * found / max(reg, 1):.1f} % | "
              f"{100 * quiet / max(never, 1):.1f} % |")
    print(f"scoring per request: median {seconds[len(seconds) // 2] * 1000:.2f} ms, "
          f"p95 {p95:.2f} ms (candidates scored in memory; database lookups not included)")


if __name__ == "__main__":
    main()
