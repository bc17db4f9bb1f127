from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from tqdm import tqdm

from refuge.lib.csvfiles import read_file
from refuge.lib.errors import Invalid
from refuge.shelter import allocation_csv
from refuge.shelter.allocation import allocate


class Command(BaseCommand):
    help = ("Plan placements on files, with the allocator the shelter board uses: "
            "sites and waiting households from CSV, the plan to CSV. The columns are "
            "in the README.")

    def add_arguments(self, parser):
        parser.add_argument("--sites", required=True, type=Path,
                            help="CSV: name, province, beds [, site_ref, taken, step_free, "
                                 "is_open]")
        parser.add_argument("--households", required=True, type=Path,
                            help="CSV: household_ref, adults [, children, needs, step_free, "
                                 "province, relatives_site], longest waiting first")
        parser.add_argument("--out", required=True, type=Path, help="the plan, as CSV")
        parser.add_argument("--time-limit", type=float, default=7.0,
                            help="seconds the solver may take (default 7)")
        parser.add_argument("--language", choices=[code for code, _name in settings.LANGUAGES],
                            default=settings.LANGUAGE_CODE,
                            help="language of the reasons in the plan (default: REFUGE_LANGUAGE)")

    def handle(self, *args, **options):
        with tqdm(total=4, unit="step", desc="Allocating", disable=None) as bar:
            bar.set_postfix_str("reading sites")
            sites = self._checked(options["sites"], allocation_csv.read_sites)
            bar.update()
            bar.set_postfix_str("reading households")
            households = self._checked(options["households"], allocation_csv.read_households)
            bar.update()
            bar.set_postfix_str("solving")
            try:
                plan = allocate(households, sites, time_limit=options["time_limit"])
            except Invalid as invalid:
                raise CommandError(f"{options['sites']}: {invalid.errors[0].message}") from None
            bar.update()
            bar.set_postfix_str("writing the plan")
            with (open(options["out"], "w", newline="", encoding="utf-8") as out,
                  translation.override(options["language"])):
                allocation_csv.write_plan(plan, sites, out)
            bar.update()
        placed = {p.household for p in plan.proposals}
        split = len({p.household for p in plan.proposals if p.parts > 1})
        how_far = "" if plan.status.code == "optimal" or not plan.how_far else \
            f": {plan.how_far}"
        self.stdout.write(
            f"Planned {len(placed):,} of {len(households):,} households "
            f"({plan.people_placed:,} people) into {len(sites):,} sites in "
            f"{plan.seconds:.1f} s: {split:,} split, {len(plan.unplaced):,} without a place "
            f"({plan.status}{how_far}); plan written to {options['out']}.")

    def _checked(self, path: Path, read):
        rows = read(read_file(path))
        if rows.errors:
            for error in rows.errors:
                self.stderr.write(f"{path}: {error}")
            raise CommandError(f"{len(rows.errors)} problem(s) in {path}; nothing was planned")
        return rows.items
