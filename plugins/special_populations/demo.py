"""Demo people for `make dev`: fictional (names marked 【演示】, ID numbers made up with a valid checksum), in
two grids of 天宁区 雕庄街道, with dates relative to the day of loading so that someone sits at each edge:
leaving 安置帮教 within 30 days, inside a correction term, newly in correction and not yet reported,
in two categories at once, and on the very last day of a window (on 29 February, which no anniversary falls
on, that day was yesterday)."""
from __future__ import annotations

from datetime import date, timedelta

from chalicelib.plugin import DemoContext
from chalicelib.platform import pii, storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.timeutil import today_shanghai
from plugins.special_populations import service
from plugins.special_populations.criteria import add_years
from plugins.special_populations.models import Person, SpecialPersonIn

GRID_1, GRID_2 = "320402001001001", "320402001001002"
OFFICER = Caller(sub="demo-corrections-320402", roles=frozenset({"corrections_officer"}), area="320402")


def fictional_id(birth: str, sequence: str) -> str:
    """A made-up 天宁区 ID number with a valid check character."""
    first17 = "320402" + birth + sequence
    return first17 + pii.check_character(first17)


def years_ago(today: date, years: int, plus_days: int = 0) -> date:
    """The day that is `years` before today, then `plus_days` later (for a window ending soon)."""
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = date(today.year - years, 2, 28)
    return day + timedelta(days=plus_days)


def people(today: date) -> list[tuple[str, SpecialPersonIn]]:
    d = timedelta(days=1)
    return [
        ("demo-sp-1", SpecialPersonIn(name="【演示】周某甲", id_number=fictional_id("19800312", "031"),
                               phone="13900000001", grid=GRID_1, judgment_effective=years_ago(today, 9),
                               prison_release=years_ago(today, 5, 20))),
        ("demo-sp-2", SpecialPersonIn(name="【演示】吴某乙", id_number=fictional_id("19911105", "042"),
                               phone="13900000002", grid=GRID_1, judgment_effective=today - 40 * d,
                               correction_start=today - 40 * d, correction_end=today + 325 * d,
                               reported_on=today - 35 * d)),
        ("demo-sp-3", SpecialPersonIn(name="【演示】郑某丙", id_number=fictional_id("19760620", "013"),
                               phone="13900000003", grid=GRID_1, judgment_effective=today - 5 * d,
                               correction_start=today - 5 * d, correction_end=today + 360 * d)),
        ("demo-sp-4", SpecialPersonIn(name="【演示】王某丁", id_number=fictional_id("19850101", "054"),
                               grid=GRID_1, prison_release=today - 1000 * d, rehab_release=today - 200 * d)),
        ("demo-sp-5", SpecialPersonIn(name="【演示】冯某戊", id_number=fictional_id("19700815", "065"),
                               phone="13900000005", grid=GRID_2,
                               correction_start=add_years(years_ago(today, 3), -1),
                               correction_end=years_ago(today, 3))),
    ]


def load_demo(context: DemoContext) -> None:
    """Fixed ids: a person already there is left as it is, so loading twice changes nothing."""
    today = today_shanghai()
    listed = people(today)
    present = storage.find_many(Person, [pid for pid, _ in listed])
    for pid, data in listed:
        if pid not in present:
            service.register(OFFICER, data, person_id=pid)
