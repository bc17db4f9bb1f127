"""The allocator on cases with a known perfect answer, beside first fit (issue 21).

    .venv/bin/python bench/allocation_perfect.py [--sizes 240x24,3000x100,30000x1000]
        [--seed 1] [--markdown]

Each case hides a perfect packing: every site's free beds are exactly filled by the
households generated for it (1 to 7 people; a few sites hold one family, some fifty),
so every household can have a place, whole. The households are then listed in an order
that defeats first fit: smallest first, largest first, or at random. With constraints,
30% of the sites are step-free and a quarter of the households hidden there need
step-free access (a disability or an older person at risk); the sites lie in Armenia's
provinces, most near the border, and 70% of the households ask for the province of the
site hidden for them. Without, every site is in one province and nobody asks.

Beside the allocator, in the same run, on the same data:
- first fit: households in the order listed, each to the first site (in the order the
  sites are listed) with enough free beds, step-free where needed, in the province it
  asked for if one there fits; a household no site can hold is split across the first
  sites with beds;
- first fit decreasing: the same, largest households first.

It prints, per case and method: households left without a place, households split,
people placed, requested province met, and seconds (and seconds of CPU, which a busy
machine does not inflate as much), with the allocator's status. The
target: 0 left and 0 split on every case, within 10 s at 30,000 x 1,000.
"""

import argparse
import os
import random
import time

import common
import numpy as np

PROVINCES = ["Syunik", "Vayots Dzor", "Ararat", "Yerevan", "Kotayk", "Armavir",
             "Gegharkunik", "Aragatsotn", "Shirak", "Lori", "Tavush"]
SIZES, SIZE_WEIGHTS = [1, 2, 3, 4, 5, 6, 7], [14, 18, 18, 20, 14, 9, 7]
ORDERS = ["small first", "large first", "random"]


def hidden_packing(households: int, sites: int, seed: int, *, constrained: bool,
                   order: str):
    """(waiting households, sites) whose free beds the households fill exactly."""
    from refuge.shelter.allocation import FreeSite, Waiting

    rng = random.Random(seed)
    weights = [rng.lognormvariate(0, 0.8) for _s in range(sites)]
    counts = [1] * sites
    for s in rng.choices(range(sites), weights, k=households - sites):
        counts[s] += 1
    site_list, waiting = [], []
    for s, count in enumerate(counts):
        step_free = constrained and rng.random() < 0.3
        province = (PROVINCES[min(int(rng.expovariate(0.35)), len(PROVINCES) - 1)]
                    if constrained else "Syunik")
        sizes = rng.choices(SIZES, SIZE_WEIGHTS, k=count)
        taken = rng.randint(0, sum(sizes) // 3)
        site_list.append(FreeSite(f"S{s:04d}", f"site {s}", province, sum(sizes) + taken,
                                  sum(sizes), step_free))
        waiting += [_household(rng, size, step_free, province if constrained else "")
                    for size in sizes]
    _reorder(waiting, order, rng)
    rng.shuffle(site_list)
    return [Waiting(f"H{i:05d}", adults, children, order=i, needs=needs, province=province)
            for i, (adults, children, needs, province) in enumerate(waiting)], site_list


def _household(rng: random.Random, size: int, step_free_site: bool, province: str):
    adults = max(1, size - rng.randint(0, size // 2))
    draw = rng.random()
    needs = (frozenset({rng.choice(["DIS", "OP"])}) if step_free_site and draw < 0.25 else
             frozenset({rng.choice(["MED", "PREG", "SC"])}) if draw > 0.92 else frozenset())
    return adults, size - adults, needs, province if rng.random() < 0.7 else ""


def _reorder(waiting: list, order: str, rng: random.Random) -> None:
    if order == "small first":
        waiting.sort(key=lambda h: h[0] + h[1])
    elif order == "large first":
        waiting.sort(key=lambda h: -(h[0] + h[1]))
    else:
        rng.shuffle(waiting)


def first_fit(households, sites, decreasing: bool = False) -> dict[str, list]:
    """{household: [(site, people), ...]}, in the order listed (largest first when
    decreasing)."""
    free = np.array([s.free for s in sites])
    step_free = np.array([s.step_free for s in sites])
    province = np.array([s.province for s in sites], dtype=object)
    order = sorted(households, key=lambda h: -h.people) if decreasing else households
    placed = {}
    for household in order:
        usable = step_free if household.needs_step_free else np.ones(len(sites), dtype=bool)
        fits = usable & (free >= household.people)
        wanted = fits & (province == household.province)
        chosen = wanted if wanted.any() else fits
        if chosen.any():
            s = int(np.argmax(chosen))
            free[s] -= household.people
            placed[household.ref] = [(sites[s], household.people)]
        elif free[usable].sum() >= household.people:
            placed[household.ref] = _split_first_fit(household.people, sites, free, usable)
    return placed


def _split_first_fit(people: int, sites, free: np.ndarray, usable: np.ndarray) -> list:
    parts = []
    for s in np.flatnonzero(usable & (free > 0)):
        take = min(int(free[s]), people)
        free[s] -= take
        parts.append((sites[s], take))
        people -= take
        if not people:
            break
    return parts


def allocator(households, sites) -> tuple[dict[str, list], object]:
    from refuge.shelter.allocation import allocate

    plan = allocate(households, sites)
    by_ref = {s.ref: s for s in sites}
    placed: dict[str, list] = {}
    for proposal in plan.proposals:
        placed.setdefault(proposal.household, []).append((by_ref[proposal.site],
                                                          proposal.people))
    return placed, plan


def measured(households, placed: dict[str, list], seconds: tuple[float, float]) -> dict:
    by_ref = {h.ref: h for h in households}
    asked = [h for h in households if h.province]
    met = sum(1 for h in asked if h.ref in placed
              and all(site.province == h.province for site, _n in placed[h.ref]))
    return {"left": len(households) - len(placed),
            "split": sum(1 for parts in placed.values() if len(parts) > 1),
            "people": sum(n for parts in placed.values() for _s, n in parts),
            "waiting": sum(h.people for h in by_ref.values()),
            "met": met / len(asked) if asked else None, "seconds": seconds[0],
            "cpu": seconds[1]}


def run_case(households: int, sites: int, seed: int, *, constrained: bool, order: str):
    waiting, site_list = hidden_packing(households, sites, seed, constrained=constrained,
                                        order=order)
    rows = []
    for name, method in (("first fit", first_fit),
                         ("first fit decreasing", lambda h, s: first_fit(h, s, True))):
        started = time.monotonic(), time.process_time()
        placed = method(waiting, site_list)
        rows.append((name, measured(waiting, placed, _since(started)), ""))
    started = time.monotonic(), time.process_time()
    placed, plan = allocator(waiting, site_list)
    seconds = _since(started)
    status = str(plan.status) if plan.status.code == "optimal" else (
        f"{plan.status}: {plan.how_far}")
    rows.append(("allocator", measured(waiting, placed, seconds), status))
    return rows


def _since(started: tuple[float, float]) -> tuple[float, float]:
    """(seconds, seconds of CPU) since then: on a machine others share, the first can be
    several times the second."""
    return time.monotonic() - started[0], time.process_time() - started[1]


def line(case: str, name: str, m: dict, status: str, *, markdown: bool) -> str:
    met = "" if m["met"] is None else f"{m['met']:.1%}"
    if markdown:
        return (f"| {case} | {name} | {m['left']:,} | {m['split']:,} | "
                f"{m['people']:,} of {m['waiting']:,} | {met or '-'} | {m['seconds']:.2f} s | "
                f"{m['cpu']:.2f} s | {status} |")
    return (f"  {case:42} {name:21} left {m['left']:5,}  split {m['split']:4,}  people "
            f"{m['people']:7,} of {m['waiting']:7,}  province met {met:>6}  "
            f"{m['seconds']:6.2f} s (CPU {m['cpu']:5.2f} s)  {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="240x24,3000x100,30000x1000",
                        help="households x sites, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--markdown", action="store_true", help="rows for docs/benchmarks.md")
    args = parser.parse_args()
    os.environ.setdefault("REFUGE_VAR_DIR", "/tmp/bench-var-allocation")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    import django

    django.setup()
    print(f"== hidden perfect packings, seed {args.seed}; {common.machine()}; load "
          f"{os.getloadavg()[0]:.2f}")
    for size in args.sizes.split(","):
        households, sites = (int(n) for n in size.split("x"))
        for constrained in (False, True):
            for order in ORDERS:
                case = (f"{households:,} x {sites:,}, "
                        f"{'step-free + provinces' if constrained else 'no constraints'}, "
                        f"{order}")
                for name, m, status in run_case(households, sites, args.seed,
                                                constrained=constrained, order=order):
                    print(line(case, name, m, status, markdown=args.markdown))
    print(f"== load afterwards {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
