"""Import of measurement files: problems by row, all-or-nothing commit, idempotent re-import."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from learnnet.imports.cells import parse_month
from learnnet.imports.services import Scope, commit_import, plan_import
from learnnet.imports.tables import FileProblem, read_table
from learnnet.measurements import recording
from learnnet.models import AuditEvent, ImportUpload, Measurement, MeasurementHistory
from tests.clock import month, ym
from tests.learnnet import factories as f
from tests.learnnet.imports.conftest import csv_bytes, upload


def plan(scope, text: str, **kwargs):
    return plan_import(scope, read_table("data.csv", csv_bytes(text, **kwargs)))


def problems_by_row(p) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for problem in p.problems:
        found.setdefault(problem.row, []).append((problem.column, problem.severity))
    return found


def count_measurements(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Measurement))


def test_preview_names_every_kind_of_problem_with_its_row_number(world, count_measure):
    code = world.measure.code
    own = f'"{world.own_team.name}"'
    text = f"""team,measure_code,month,numerator,denominator,value,comment
Nowhere ward,{code},{ym(2)},4,10,,
{own},no-such-measure,{ym(2)},4,10,,
{own},{code},2025-13,4,10,,
{own},{code},{ym(3)},12,10,,
{own},{code},{ym(4)},4,10,,
{own},{code},{ym(4)},5,10,,
{own},{code},{ym(5)},four,10,,
{own},{code},{ym(6)},,,,only a comment
{own},{code},{ym(60)},4,10,,
{own},{count_measure.code},{ym(2)},,,2.5,
{own},{code},{ym(7)},4,10,,fine
{own},{code},{ym(8)},,,,
"""
    p = plan(Scope(world.network), text)
    assert problems_by_row(p) == {
        2: [("team", "error")],
        3: [("measure_code", "error")],
        4: [("month", "error")],
        5: [("numerator", "error")],
        7: [("month", "error")],
        8: [("numerator", "error")],
        9: [("comment", "error")],
        10: [("month", "error"), ("month", "error")],  # outside the network, and in the future
        11: [("value", "error")],
    }
    messages = {problem.row: problem.message for problem in p.problems}
    assert "6" in messages[7]
    assert "12" in messages[5] and "10" in messages[5]
    assert [r.row for r in p.rows] == [6, 12]
    assert p.blank == 1


def test_preview_page_lists_problems_and_offers_no_commit(client, auth, world, db_session):
    auth.login(world.users["facilitator"])
    text = f'team,measure_code,month,numerator,denominator\n"{world.own_team.name}",{world.measure.code},{ym(3)},12,10\n'
    response = upload(client, f"/networks/{world.network.id}/import", csv_bytes(text))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-row="2" data-column="numerator"' in html
    assert '<td title="numerator">Teller</td>' in html  # the column by its name, not its code
    assert "/imports/commit" not in html
    assert db_session.scalar(select(func.count()).select_from(ImportUpload)) == 0


def test_commit_is_all_or_nothing(client, auth, world, db_session):
    auth.login(world.users["facilitator"])
    code = world.measure.code
    rows = "\n".join(f'"{world.own_team.name}",{code},{ym(m - 1)},{m},20' for m in range(1, 7))
    response = upload(
        client,
        f"/networks/{world.network.id}/import",
        csv_bytes("team,measure_code,month,numerator,denominator\n" + rows),
    )
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', response.get_data(as_text=True)).group(1)
    # Someone enters March by hand after the preview: the file's plan no longer holds.
    recording.save(
        world.own_team,
        world.measure,
        month(2),
        recording.Values(1, 20),
        world.users["admin"],
        base_version=0,
    )
    db_session.commit()
    before = count_measurements(db_session)
    response = client.post("/imports/commit", data={"key": key})
    assert response.status_code == 409
    assert count_measurements(db_session) == before
    assert "endret siden forhåndsvisningen" in response.get_data(as_text=True)


def test_commit_writes_nothing_when_a_row_was_saved_meanwhile(world, db_session):
    scope = Scope(world.network)
    code = world.measure.code
    text = "team,measure_code,month,numerator,denominator\n" + "\n".join(
        f'"{world.own_team.name}",{code},{ym(m - 1)},{m},20' for m in range(1, 7)
    )
    f.MeasurementFactory(
        team=world.own_team, measure=world.measure, period=month(1), numerator=1, denominator=20
    )
    p = plan(scope, text)
    assert p.counts["update"] == 1 and p.counts["create"] == 5
    # Between the plan and the write, someone saves February again.
    m = db_session.scalar(select(Measurement).where(Measurement.period == month(1)))
    m.numerator = 3
    db_session.flush()
    result = commit_import(scope, p, world.users["facilitator"])
    assert result.status == "conflict"
    assert count_measurements(db_session) == 1


def test_commit_creates_updates_with_history_and_one_audit_event(client, auth, world, db_session):
    existing = f.MeasurementFactory(
        team=world.own_team, measure=world.measure, period=month(1), numerator=8, denominator=16
    )
    auth.login(world.users["facilitator"])
    code = world.measure.code
    text = f"""team;measure_code;month;numerator;denominator;comment
{world.own_team.name};{code};{ym(0)};5;16;
{world.own_team.name};{code};{ym(1)};9;16;corrected
{world.other_team.id};{code};{ym(0)};3;12;
"""
    response = upload(client, f"/networks/{world.network.id}/import", csv_bytes(text))
    html = response.get_data(as_text=True)
    assert 'data-testid="import-updates"' in html and 'data-row="3"' in html
    # the measure by its name, as the team knows it, with the file's code beside it
    changed = html.split('data-testid="import-updates"')[1].split("</table>")[0]
    assert world.measure.name in changed and code in changed
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/imports/commit", data={"key": key})
    assert response.status_code == 302
    db_session.expire_all()
    assert count_measurements(db_session) == 3
    updated = db_session.get(Measurement, existing.id)
    assert (updated.numerator, updated.comment, updated.version) == (9, "corrected", 2)
    actions = sorted(h.action for h in db_session.scalars(select(MeasurementHistory)))
    # the month saved before, then the import's two new months and its update
    assert actions == ["create", "create", "create", "update"]
    events = list(db_session.scalars(select(AuditEvent).where(AuditEvent.action == "measurement.import")))
    assert len(events) == 1 and events[0].after["create"] == 2 and events[0].after["update"] == 1
    assert db_session.scalar(select(func.count()).select_from(ImportUpload)) == 0


def test_reimporting_the_same_file_changes_nothing(client, auth, world, db_session):
    auth.login(world.users["team_member"])
    code = world.measure.code
    content = csv_bytes(
        "measure_code,month,numerator,denominator\n"
        + "\n".join(f"{code},{ym(m - 1)},{m},20" for m in range(1, 10))
    )
    url = f"/teams/{world.own_team.id}/import"
    html = upload(client, url, content).get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    assert client.post("/imports/commit", data={"key": key}).status_code == 302
    versions = sorted(db_session.scalars(select(Measurement.version)))
    history = db_session.scalar(select(func.count()).select_from(MeasurementHistory))

    html = upload(client, url, content).get_data(as_text=True)
    assert "9 already saved" in html or "9 allerede lagret" in html
    assert "/imports/commit" not in html
    assert sorted(db_session.scalars(select(Measurement.version))) == versions
    assert db_session.scalar(select(func.count()).select_from(MeasurementHistory)) == history


def test_semicolons_decimal_commas_and_byte_order_mark(world, count_measure):
    continuous = f.MeasureFactory(
        network=world.network, code="weight-kg", value_kind="continuous", multiplier=1.0, unit_label="kg"
    )
    text = f"""team;measure_code;month;numerator;denominator;value;comment
{world.own_team.name};{continuous.code};{ym(2)};;;"72,5";Veid på mandag
{world.own_team.name};{count_measure.code};{month(2):%m.%Y};;;2;
{world.own_team.name};{world.measure.code};{ym(2)};"1 012";"2 000";;
"""
    p = plan(Scope(world.network), text, bom=True)
    assert p.problems == ()
    values = {r.measure.code: r.values for r in p.rows}
    assert values[continuous.code] == recording.Values(None, None, 72.5, "Veid på mandag")
    assert values[count_measure.code].value == 2.0
    assert (values[world.measure.code].numerator, values[world.measure.code].denominator) == (1012, 2000)


def test_xlsx_round_trip_export_then_import_changes_nothing(client, auth, world, db_session, count_measure):
    for k in range(1, 6):
        f.MeasurementFactory(
            team=world.own_team,
            measure=world.measure,
            period=month(k - 1),
            numerator=k,
            denominator=17,
        )
        f.MeasurementFactory(
            team=world.other_team,
            measure=count_measure,
            period=month(k - 1),
            numerator=None,
            denominator=None,
            value=float(k) + 0.25,
        )
    f.MeasurementFactory(
        team=world.own_team,
        measure=count_measure,
        period=month(0),
        numerator=None,
        denominator=None,
        value=4.0,
        comment="ærlig talt; «sitat», ny\nlinje",
    )
    auth.login(world.users["admin"])
    for fmt, name in (("xlsx", "export.xlsx"), ("csv", "export.csv"), ("csv-semicolon", "export.csv")):
        response = client.get(f"/networks/{world.network.id}/export/{fmt}")
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
        p = plan_import(Scope(world.network), read_table(name, response.data))
        assert p.problems == () and p.changes == [], fmt
        assert p.counts["unchanged"] == 11


def test_import_of_a_deleted_month_restores_it(world, db_session):
    m = f.MeasurementFactory(team=world.own_team, measure=world.measure, period=month(1))
    recording.delete(m, world.users["admin"], base_version=m.version)
    scope = Scope(world.network, world.own_team)
    p = plan(scope, f"measure_code,month,numerator,denominator\n{world.measure.code},{ym(1)},8,16")
    assert [r.action for r in p.rows] == ["restore"]
    assert commit_import(scope, p, world.users["admin"]).status == "done"
    db_session.expire_all()
    assert db_session.get(Measurement, m.id).deleted_at is None


def test_team_import_refuses_rows_of_another_team(world):
    scope = Scope(world.network, world.own_team)
    p = plan(
        scope,
        f'team,measure_code,month,numerator,denominator\n"{world.other_team.name}",{world.measure.code},{ym(1)},8,16',
    )
    assert problems_by_row(p) == {2: [("team", "error")]}


def test_historical_months_before_the_start_but_not_too_early(world):
    scope = Scope(world.network)
    own = f'"{world.own_team.name}"'
    code = world.measure.code
    p = plan(
        scope,
        f"team,measure_code,month,numerator,denominator\n{own},{code},{ym(-31)},8,16\n{own},{code},{ym(-67)},8,16",
    )
    assert problems_by_row(p) == {3: [("month", "error")]}


def test_unusual_values_are_warnings_that_must_be_accepted(client, auth, world, db_session):
    for k in range(1, 9):
        f.MeasurementFactory(
            team=world.own_team,
            measure=world.measure,
            period=month(k - 1),
            numerator=8,
            denominator=16,
        )
    auth.login(world.users["admin"])
    text = f'team,measure_code,month,numerator,denominator\n"{world.own_team.name}",{world.measure.code},{ym(8)},1,400'
    html = upload(client, f"/networks/{world.network.id}/import", csv_bytes(text)).get_data(as_text=True)
    assert "table-warning" in html
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    assert client.post("/imports/commit", data={"key": key}).status_code == 422
    assert count_measurements(db_session) == 8
    assert client.post("/imports/commit", data={"key": key, "accept_warnings": "y"}).status_code == 302
    assert count_measurements(db_session) == 9


def test_an_upload_belongs_to_its_user(client, auth, world, db_session):
    auth.login(world.users["facilitator"])
    text = f'team,measure_code,month,numerator,denominator\n"{world.own_team.name}",{world.measure.code},{ym(1)},8,16'
    html = upload(client, f"/networks/{world.network.id}/import", csv_bytes(text)).get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    auth.logout()
    auth.login(world.users["admin"])
    response = client.post("/imports/commit", data={"key": key})
    assert response.status_code == 302
    assert count_measurements(db_session) == 0


@pytest.mark.parametrize(
    ("role", "team", "status"),
    [
        ("team_member", "own_team", 200),
        ("team_member", "other_team", 403),
        ("viewer", "own_team", 403),
        ("facilitator", "other_team", 200),
        ("centre", "own_team", 403),
        ("admin", "own_team", 200),
    ],
)
def test_who_may_import_for_a_team(client, auth, world, role, team, status):
    auth.login(world.users[role])
    assert client.get(f"/teams/{getattr(world, team).id}/import").status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("team_member", 403), ("facilitator", 200), ("admin", 200), ("centre", 403)]
)
def test_who_may_import_for_a_network(client, auth, world, role, status):
    auth.login(world.users[role])
    assert client.get(f"/networks/{world.network.id}/import").status_code == status


def test_template_has_a_row_to_fill_for_each_team_measure_and_month(client, auth, world):
    auth.login(world.users["facilitator"])
    response = client.get(f"/networks/{world.network.id}/import/template/xlsx")
    assert response.status_code == 200
    table = read_table("template.xlsx", response.data)
    assert table.columns == ("team", "measure_code", "month", "numerator", "denominator", "value", "comment")
    assert len(table.rows) == 2 * 1 * 22  # two teams, one measure, the network's 22 past months
    # An unfilled template imports as nothing at all.
    p = plan_import(Scope(world.network), table)
    assert p.problems == () and p.rows == () and p.blank == 44


def test_xlsx_with_date_cells_and_blank_lines(world):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Team", "Measure_code", "Month", "Numerator", "Denominator"])
    sheet.append([world.own_team.id, world.measure.code, dt.datetime.combine(month(2), dt.time()), 4, 10])
    sheet.append([])
    sheet.append([world.own_team.name, world.measure.code, ym(3), 4.0, "x"])
    out = io.BytesIO()
    workbook.save(out)
    p = plan_import(Scope(world.network), read_table("data.xlsx", out.getvalue()))
    assert [r.period for r in p.rows] == [month(2)]
    assert problems_by_row(p) == {4: [("denominator", "error")]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "tom"),
        (b"a,b,c\n1,2,3\n", "mangler"),
        (b"PK\x03\x04garbage", "Excel"),
        (b"\x00\x01\x02\xff\xfe", "CSV"),
    ],
)
def test_unreadable_files_say_why(content, message, app):
    with app.test_request_context(), pytest.raises(FileProblem, match=message):
        read_table("data.csv", content)


def test_a_bad_file_is_shown_on_the_upload_form(client, auth, world):
    auth.login(world.users["facilitator"])
    response = upload(client, f"/networks/{world.network.id}/import", b"a,b\n1,2\n")
    assert response.status_code == 200
    assert "invalid-feedback" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("cell", "period"),
    [
        ("2025-03", dt.date(2025, 3, 1)),
        ("2025-03-15", dt.date(2025, 3, 1)),
        ("3.2025", dt.date(2025, 3, 1)),
        ("01.03.2025", dt.date(2025, 3, 1)),
        (dt.date(2025, 3, 9), dt.date(2025, 3, 1)),
        ("2025-13", None),
        ("mars", None),
        (45000, None),
        ("2025-03-01 00:00:00", dt.date(2025, 3, 1)),
        # as the app shows months, and as Excel writes a date cell to CSV
        ("jan. 2026", dt.date(2026, 1, 1)),
        ("januar 2026", dt.date(2026, 1, 1)),
        ("Mai 2025", dt.date(2025, 5, 1)),
        ("okt.25", dt.date(2025, 10, 1)),
        ("des.25", dt.date(2025, 12, 1)),
        ("Mar-25", dt.date(2025, 3, 1)),
        ("March 2025", dt.date(2025, 3, 1)),
        ("sept. 2025", dt.date(2025, 9, 1)),
        ("ma 2025", None),
        ("marsipan 2025", None),
        ("jan. 202", None),
    ],
)
def test_months_are_read_in_the_usual_spellings(cell, period):
    assert parse_month(cell) == period


def test_an_xlsx_upload_is_kept_as_csv_that_plans_the_same(client, auth, world, db_session, count_measure):
    from learnnet.imports.tables import to_csv

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([])
    sheet.append(["team", "measure_code", "month", "numerator", "denominator", "value", "comment"])
    sheet.append(
        [world.own_team.id, world.measure.code, dt.datetime.combine(month(2), dt.time()), 4.0, 10, None, 12.0]
    )
    sheet.append([world.own_team.name, count_measure.code, ym(3), None, None, 2, dt.datetime(2025, 4, 2)])
    sheet.append([world.own_team.name, count_measure.code, ym(4), None, None, 3, 'a, "quoted"\nline'])
    sheet.append([world.own_team.name, count_measure.code, 45000, None, None, True, None])
    out = io.BytesIO()
    workbook.save(out)
    table = read_table("data.xlsx", out.getvalue())
    assert table.heading_row == 2
    first = plan_import(Scope(world.network), table)
    again = plan_import(Scope(world.network), read_table("kept.csv", to_csv(table)))
    assert first.problems == again.problems and first.digest == again.digest
    assert [(p.row, p.column) for p in first.problems] == [(6, "month"), (6, "value")]

    auth.login(world.users["admin"])
    for cell in sheet[6]:
        cell.value = None
    out = io.BytesIO()
    workbook.save(out)
    html = upload(client, f"/networks/{world.network.id}/import", out.getvalue(), "data.xlsx").get_data(
        as_text=True
    )
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', html).group(1)
    assert client.post("/imports/commit", data={"key": key}).status_code == 302
    comments = sorted(db_session.scalars(select(Measurement.comment)))
    assert comments == ["12", "2025-04-02 00:00:00", 'a, "quoted"\nline']


def test_a_file_named_xlsx_that_is_not_one_is_refused_with_a_message(client, auth, world, db_session):
    auth.login(world.users["facilitator"])
    response = upload(client, f"/networks/{world.network.id}/import", b"team;month\n", "data.xlsx")
    assert response.status_code < 500
    assert "Filen er ikke en lesbar Excel-fil (XLSX)." in response.get_data(as_text=True)
    assert count_measurements(db_session) == 0


def test_a_blank_comment_cell_keeps_the_saved_comment(world, db_session):
    # The template has a comment column; a team fills in the numbers of months already entered
    # by hand, leaving the comments blank. Their comments must survive the import.
    saved = f.MeasurementFactory(
        team=world.own_team,
        measure=world.measure,
        period=month(1),
        numerator=8,
        denominator=16,
        comment="Ny rutine fra uke 6",
    )
    scope = Scope(world.network, world.own_team)
    code = world.measure.code
    p = plan(
        scope,
        "team;measure_code;month;numerator;denominator;value;comment\n"
        f";{code};{ym(1)};8;16;;\n;{code};{ym(2)};9;16;;",
    )
    assert p.counts == {"create": 1, "update": 0, "restore": 0, "unchanged": 1}
    assert commit_import(scope, p, world.users["admin"]).status == "done"
    db_session.expire_all()
    assert db_session.get(Measurement, saved.id).comment == "Ny rutine fra uke 6"
    # A comment written in the file still replaces the saved one.
    p = plan(scope, f"measure_code;month;numerator;denominator;comment\n{code};{ym(1)};8;16;Endret")
    assert [(r.action, r.values.comment) for r in p.rows] == [("update", "Endret")]


def test_the_preview_shows_a_comment_the_import_replaces(client, auth, world):
    f.MeasurementFactory(
        team=world.own_team,
        measure=world.measure,
        period=month(1),
        numerator=8,
        denominator=16,
        comment="Ny rutine fra uke 6",
    )
    auth.login(world.users["team_member"])
    code = world.measure.code
    text = f"measure_code;month;numerator;denominator;comment\n{code};{ym(1)};8;16;Rettet telling"
    html = upload(client, f"/teams/{world.own_team.id}/import", csv_bytes(text)).get_data(as_text=True)
    changed = html.split('data-testid="import-updates"')[1].split("</table>")[0]
    assert re.search(r'data-comment="saved">Ny rutine fra uke 6<', changed)
    assert re.search(r'data-comment="new">Rettet telling<', changed)


def test_a_title_above_the_heading_is_passed_over(world):
    code = world.measure.code
    text = f"""Tidlig oppdagelse – Borre;;;;
Registrert av Kari, mars 2025;;;;

team;measure_code;month;numerator;denominator
{world.own_team.id};{code};{ym(1)};8;16
{world.own_team.id};{code};{ym(2)};x;16
"""
    table = read_table("data.csv", csv_bytes(text))
    assert table.heading_row == 4
    p = plan_import(Scope(world.network), table)
    assert [r.period for r in p.rows] == [month(1)]
    assert problems_by_row(p) == {6: [("numerator", "error")]}

    # The same in a workbook, the title in merged cells
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Tidlig oppdagelse – Borre"])
    sheet.merge_cells("A1:E1")
    sheet.append(["team", "measure_code", "month", "numerator", "denominator"])
    sheet.append([world.own_team.id, code, ym(1), 8, 16])
    out = io.BytesIO()
    workbook.save(out)
    table = read_table("data.xlsx", out.getvalue())
    assert table.heading_row == 2 and [r.number for r in table.rows] == [3]


def test_a_file_without_the_heading_still_says_which_columns_are_missing(app):
    with app.test_request_context(), pytest.raises(FileProblem, match="measure_code, month"):
        read_table("data.csv", b"Tittel\n1;2;3\n4;5;6\n7;8;9\n1;2;3\n4;5;6\n7;8;9\n")
    with app.test_request_context(), pytest.raises(FileProblem, match="month"):
        read_table("data.csv", b"team;kode;mnd\n1;2;3\n")


def test_empty_rows_after_the_data_are_not_part_of_the_file(world):
    # Excel saves a sheet down to its last formatted row.
    code = world.measure.code
    text = (
        f"team;measure_code;month;numerator;denominator;value;comment\r\n"
        f"{world.own_team.id};{code};{ym(1)};8;16;;\r\n"
        ";;;;;;\r\n"
        f"{world.own_team.id};{code};{ym(2)};9;16;;\r\n" + ";;;;;;\r\n" * 50_000
    )
    table = read_table("data.csv", text.encode())
    assert [r.number for r in table.rows] == [2, 3, 4]
    p = plan_import(Scope(world.network), table)
    assert p.blank == 1 and p.counts["create"] == 2


def test_a_sheet_formatted_far_below_its_data_is_read_row_by_row(world, monkeypatch):
    from learnnet.imports import tables

    code = world.measure.code
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["team", "measure_code", "month", "numerator", "denominator"])
    sheet.append([world.own_team.id, code, ym(1), 8, 16])
    sheet.append([])
    sheet.append([world.own_team.id, code, ym(2), 9, 16])
    for _ in range(20_000):
        sheet.append([" "])  # a formatted cell with nothing in it
    out = io.BytesIO()
    workbook.save(out)
    seen = []
    rows = tables._xlsx_rows

    def counted(*args):
        for row in rows(*args):
            seen.append(len(seen))
            yield row

    monkeypatch.setattr(tables, "_xlsx_rows", counted)
    table = read_table("data.xlsx", out.getvalue())
    assert [r.number for r in table.rows] == [2, 3, 4]
    assert len(seen) > 20_000  # every row was read, and only the data kept


def test_a_sheet_that_breaks_while_its_rows_are_read_is_a_file_problem(app):
    from learnnet.imports import tables

    class Sheet:
        def iter_rows(self, values_only):
            yield ("team", "measure_code", "month")
            raise ValueError("a cell openpyxl cannot read")

    class Book:
        closed = False

        def close(self):
            self.closed = True

    book = Book()
    with app.test_request_context(), pytest.raises(FileProblem, match="Excel"):
        list(tables._xlsx_rows(book, Sheet()))
    assert book.closed


@pytest.mark.parametrize("cell", ["²", "9" * 5000])
def test_a_team_cell_of_odd_digits_is_no_team(world, cell):
    text = f"team;measure_code;month;numerator;denominator\n{cell};{world.measure.code};{ym(1)};8;16"
    p = plan(Scope(world.network), text)
    [problem] = p.problems
    assert problem.column == "team" and "Det finnes ikke noe team" in problem.message


@pytest.mark.parametrize("cell", ["1.000", "1,000", "12.345.678"])
def test_a_count_with_a_thousands_separator_is_not_read_as_a_smaller_number(world, cell):
    row = f"{world.own_team.id};{world.measure.code};{ym(1)};8;{cell}"
    p = plan(Scope(world.network), "team;measure_code;month;numerator;denominator\n" + row)
    assert p.rows == ()
    [problem] = p.problems
    assert problem.column == "denominator" and "1000" in problem.message
