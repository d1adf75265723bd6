"""SPEC C9 (issue 23 §1): the village's yearly ledger "一村一卷" — an XLSX with a cover sheet and one sheet per
enabled service from its `ledger_columns`, each column's monthly figures read from the counts its service
keeps (`LedgerColumn.values`); stored in the ledger bucket as the village's `ledger` file, handed over as a
presigned link, audited. CONTRACT "HTTP" (4xx naming the field), "Identity and access" (residents 403, staff
their area), "Every spreadsheet … neutralises cells"."""
from __future__ import annotations

import io

import pytest
from chalice import Blueprint
from openpyxl import load_workbook

from chalicelib import plugin
from chalicelib.domain.ledgers import service as ledgers
from chalicelib.platform import aws, config, storage
from plugins.mediation import rates
from tests.helpers import also_enabled, assert_problem, body, ok, post, requires_plugins, seed_areas

VILLAGE, GRID = "320402001001", "320402001001001"


@pytest.fixture
def village(client):
    seed_areas()
    return VILLAGE


def _staff(token, area="320402", role="legal_aid_officer"):
    return token("officer-1", role, area=area)


def _book(key: str):
    data = aws.s3().get_object(Bucket=config.ledger_bucket(), Key=key)["Body"].read()
    return load_workbook(io.BytesIO(data))


def _greet(client, token, times: int) -> None:
    resident = token("r-1", "resident")
    for _ in range(times):
        ok(post(client, "/v1/hello/greetings", {"message": "你好", "grid": GRID}, resident), 201)


@requires_plugins("hello", "mediation")
def test_district_staff_download_the_village_s_year_with_a_cover_and_a_sheet_per_service(client, token, clock, village):
    _greet(client, token, 2)
    storage.transact([storage.add_to(rates.Tally, f"{VILLAGE}-{clock.month()}", {"closed": 3})])
    out = body(post(client, "/v1/ledgers", {"area": VILLAGE, "year": clock.today.year}, _staff(token)))
    year, month = clock.today.year, clock.month()
    assert out["area_name"] == "江苏省常州市天宁区雕庄街道演示社区" and out["months"][-1] == month
    assert out["download"]["url"].startswith("http") and out["file_id"] == ledgers.file_id(VILLAGE, year)
    book = _book(ledgers.object_key(VILLAGE, year))
    assert book.sheetnames[0] == "封面" and {"示例", "人民调解"} <= set(book.sheetnames)
    cover = {row[0]: row[1] for row in book["封面"].iter_rows(min_row=2, values_only=True)}
    assert cover["区域"] == "江苏省常州市天宁区雕庄街道演示社区" and cover["期间"] == f"{year}-01 至 {month}"
    assert cover["生成人"] == "officer-1" and "未接入" in cover  # mediation's major-dispute column has no figures yet
    hello = book["示例"]
    assert [c.value for c in hello[1]] == ["月份", "问候（条）"]
    figures = {row[0]: row[1] for row in hello.iter_rows(min_row=2, values_only=True)}
    assert figures[month] == 2 and figures["合计"] == 2 and len(figures) == len(out["months"]) + 1
    mediation = book["人民调解"]
    assert [c.value for c in mediation[1]][:2] == ["月份", "调解矛盾纠纷（起）"]
    assert {row[0]: row[1] for row in mediation.iter_rows(min_row=2, values_only=True)}["合计"] == 3


def test_every_sheet_is_ready_to_print_frozen_fitted_a4_landscape_with_titles_on_every_page(client, token, clock, village):
    post(client, "/v1/ledgers", {"area": VILLAGE, "year": clock.today.year - 1}, _staff(token))
    book = _book(ledgers.object_key(VILLAGE, clock.today.year - 1))
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and all(c.font.bold for c in sheet[1])
        assert sheet.page_setup.orientation == "landscape" and str(sheet.page_setup.paperSize) == "9"
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.column_dimensions["A"].width >= 8
    assert book["封面"].column_dimensions["B"].width >= 2 * len("江苏省常州市天宁区雕庄街道演示社区")


def test_a_past_year_has_all_twelve_months(client, token, clock, village):
    out = body(post(client, "/v1/ledgers", {"area": VILLAGE, "year": clock.today.year - 1}, _staff(token)))
    assert len(out["months"]) == 12 and out["months"][0].endswith("-01")


def test_no_cell_is_a_formula_and_personal_numbers_are_masked(client, token, clock, village):
    """Whoever typed it: a column title starting with `=` and a name holding an ID and a phone number."""
    column = plugin.LedgerColumn("trap.count", "=HYPERLINK(\"http://x\")", values=lambda area, months: {})
    trap = plugin.Plugin(name="trap", title="@服务 320402199001011234 13912345678", blueprint=Blueprint("trap"),
                         ledger_columns=(column,))
    with also_enabled(trap):
        post(client, "/v1/ledgers", {"area": VILLAGE, "year": clock.today.year}, _staff(token))
    book = _book(ledgers.object_key(VILLAGE, clock.today.year))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f" or str(c.value or "").startswith(("=", "+", "@"))]
    text = " ".join([*book.sheetnames, *(str(c.value) for c in cells if c.value is not None)])
    assert "320402199001011234" not in text and "13912345678" not in text and "139****5678" in text


@requires_plugins("hello")
def test_a_column_that_fails_is_named_and_left_empty_and_the_others_stand(client, token, clock, village):
    def broken(area, months):
        raise RuntimeError("store down")

    flaky = plugin.Plugin(name="flaky", title="不稳定", blueprint=Blueprint("flaky"),
                          ledger_columns=(plugin.LedgerColumn("flaky.count", "件数", values=broken),))
    _greet(client, token, 1)
    with also_enabled(flaky):
        out = body(post(client, "/v1/ledgers", {"area": VILLAGE, "year": clock.today.year}, _staff(token)))
    assert out["failed_columns"] == {"flaky.count": "RuntimeError"}
    book = _book(ledgers.object_key(VILLAGE, clock.today.year))
    assert {r[0]: r[1] for r in book["示例"].iter_rows(min_row=2, values_only=True)}["合计"] == 1
    assert all(r[1] is None for r in book["不稳定"].iter_rows(min_row=2, values_only=True))
    assert "未能生成" in {r[0] for r in book["封面"].iter_rows(min_row=2, values_only=True)}


def test_building_it_again_replaces_the_one_current_file_and_both_are_audited(client, token, clock, village):
    staff, year = _staff(token), clock.today.year
    first = body(post(client, "/v1/ledgers", {"area": VILLAGE, "year": year}, staff))
    second = body(post(client, "/v1/ledgers", {"area": VILLAGE, "year": year}, staff))
    assert first["file_id"] == second["file_id"]
    listed = aws.s3().list_objects_v2(Bucket=config.ledger_bucket(), Prefix=f"ledgers/{VILLAGE}/")["Contents"]
    assert [o["Key"] for o in listed] == [f"ledgers/{VILLAGE}/{year}/{year}-village.xlsx"]
    from chalicelib.platform import audit

    made = audit.trail("ledger", f"{VILLAGE}:{year}").items
    downloads = audit.trail("file", first["file_id"]).items
    assert len(made) == 2 and len(downloads) == 2


def test_residents_are_refused(client, token, clock, village):
    assert_problem(post(client, "/v1/ledgers", {"area": VILLAGE, "year": clock.today.year}, token("r-1", "resident")),
                   403, "role_not_allowed")


def test_a_village_outside_the_caller_s_jurisdiction_is_403_naming_the_area(client, token, clock, village):
    problem = assert_problem(post(client, "/v1/ledgers", {"area": VILLAGE, "year": clock.today.year},
                                  _staff(token, area="320404")), 403, "outside_jurisdiction")
    assert problem["errors"][0]["loc"] == ["body", "area"]


def test_a_future_year_is_422_naming_the_year(client, token, clock, village):
    problem = assert_problem(post(client, "/v1/ledgers", {"area": VILLAGE, "year": clock.today.year + 1},
                                  _staff(token)), 422, "future_year")
    assert problem["errors"][0]["loc"] == ["body", "year"]


@pytest.mark.parametrize("area, code", [("320402001009", "area_not_found"), ("320402001", None)])
def test_an_unknown_area_or_one_that_is_not_a_village_is_422_naming_the_area(client, token, clock, village, area, code):
    problem = assert_problem(post(client, "/v1/ledgers", {"area": area, "year": clock.today.year}, _staff(token)), 422, code)
    assert problem["errors"][0]["loc"] == ["body", "area"]


def test_columns_reading_the_statistics_counters_are_read_together_in_one_query(client, token, clock, village):
    """Issue 23 §3: a service's columns read its counters (`counters.monthly`), all of them in one roll-up."""
    from chalicelib.domain.ledgers import counters
    from tests.helpers import calls_during, only_enabled

    keys = ("tallied.visits", "tallied.rules", "tallied.opinions")
    service = plugin.Plugin(name="tallied", title="计数服务", blueprint=Blueprint("tallied"),
                            stat_counters=tuple(plugin.StatCounter(k, k) for k in keys),
                            ledger_columns=tuple(plugin.LedgerColumn(k, k, values=counters.monthly(k)) for k in keys))
    storage.transact([counters.count_op(GRID, clock.month(), {"tallied.visits": 2, "tallied.opinions": 1})])
    with only_enabled(service):
        calls = calls_during(lambda: post(client, "/v1/ledgers", {"area": VILLAGE, "year": clock.today.year}, _staff(token)))
    assert calls == ["BatchGetItem", "Query", "TransactWriteItems"]
    rows = {r[0]: r[1:] for r in _book(ledgers.object_key(VILLAGE, clock.today.year))["计数服务"].iter_rows(values_only=True)}
    assert rows["合计"] == (2, 0, 1) and rows[clock.month()] == (2, 0, 1)


def test_asked_again_unchanged_it_is_handed_over_and_a_tally_that_moves_no_counter_still_rebuilds_it(
        client, token, clock, village):
    """Issue 23 §1 "regenerated only when its data changed": the stored object records its data version; a
    column read from a service's own tally (no counter moves) is in that version through its figures."""
    from tests.helpers import only_enabled

    tally = {clock.month(): 3}
    service = plugin.Plugin(name="tallied", title="计数服务", blueprint=Blueprint("tallied"), ledger_columns=(
        plugin.LedgerColumn("tallied.own", "自有计数", values=lambda area, months: dict(tally)),))
    staff, ask = _staff(token), {"area": VILLAGE, "year": clock.today.year}
    with only_enabled(service):
        first = body(post(client, "/v1/ledgers", ask, staff))
        second = body(post(client, "/v1/ledgers", ask, staff))
        tally[clock.month()] = 4
        third = body(post(client, "/v1/ledgers", ask, staff))
    assert (first["rebuilt"], second["rebuilt"], third["rebuilt"]) == (True, False, True)
    assert first["data_version"] == second["data_version"] != third["data_version"]
    head = aws.s3().head_object(Bucket=config.ledger_bucket(), Key=ledgers.object_key(VILLAGE, clock.today.year))
    assert head["Metadata"]["data-version"] == third["data_version"]
    rows = {r[0]: r[1:] for r in _book(ledgers.object_key(VILLAGE, clock.today.year))["计数服务"].iter_rows(values_only=True)}
    assert rows[clock.month()] == (4,)
