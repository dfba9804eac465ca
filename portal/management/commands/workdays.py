"""``manage.py workdays add 2025-09-26 10`` · ``workdays between A B`` · ``workdays seed``."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from portal.services.calendar import calendar_seed_from_package
from portal.workdays import add_working_days, working_days_between


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Working-day arithmetic on the Chinese calendar, and seeding the calendar table."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        add = sub.add_parser("add", help="print the date N working days after DATE")
        add.add_argument("start")
        add.add_argument("days", type=int)
        between = sub.add_parser("between", help="count working days in (A, B]")
        between.add_argument("start")
        between.add_argument("end")
        seed = sub.add_parser("seed", help="load holidays from the chinesecalendar package")
        seed.add_argument("--year", type=int, action="append", dest="years")

    def handle(self, *args, verb: str, **options):
        if verb == "add":
            if options["days"] < 0:
                raise CommandError("N must be zero or more.")
            self.stdout.write(add_working_days(_date(options["start"]), options["days"]).isoformat())
        elif verb == "between":
            self.stdout.write(str(working_days_between(_date(options["start"]), _date(options["end"]))))
        else:
            written = calendar_seed_from_package(years=options["years"])
            self.stdout.write(f"{written} calendar days loaded.")
