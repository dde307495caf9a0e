"""Benchmark of importing 50,000 measurements (run with `make bench`; not a pytest test).

Builds a network of 50 teams × 10 measures and a file of 100 months for each (50,000 rows), then
times each step of an import the way a user meets it: reading the file (CSV and XLSX), the
preview (parse, preload, check every row), the commit (bulk insert with history), the same file
again (everything unchanged), and a file that changes 5,000 saved months. The full HTTP path
(upload → preview page → confirm) is timed as well.

SQLite in a temporary folder by default; PostgreSQL when ``BENCH_DATABASE_URL`` (or
``TEST_DATABASE_URL``) names a server, in a scratch database dropped afterwards.
Target: each step in a few seconds, so the page can work synchronously behind a spinner.
The database's own work (SQLite in this process, PostgreSQL in its server) is in the wall clock;
the CPU column counts this process only.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

from learnnet import create_app  # noqa: E402
from learnnet.extensions import db  # noqa: E402
from learnnet.imports.services import Scope, commit_import, plan_import  # noqa: E402
from learnnet.imports.tables import COLUMNS, read_table, write_csv, write_xlsx  # noqa: E402
from learnnet.measurements.periods import add_months  # noqa: E402
from learnnet.models import Measurement  # noqa: E402
from tests.conftest import app_config, scratch_postgres_database  # noqa: E402
from tests.learnnet import factories as f  # noqa: E402

TEAMS = 50
MEASURES = 10
MONTHS = 100
FIRST = dt.date(2018, 1, 1)


@contextmanager
def timed(label: str, results: dict):
    """Wall-clock and CPU seconds: on a busy machine the wall clock includes waiting for a core."""
    start, cpu = time.perf_counter(), time.process_time()
    yield
    results[label] = time.perf_counter() - start
    used = time.process_time() - cpu
    print(f"  {label:<44} {results[label]:6.2f} s   (CPU {used:5.2f} s)", flush=True)


def build_world():
    network = f.NetworkFactory(
        name="Benchmark network", start_date=dt.date(2021, 1, 1), end_date=dt.date(2026, 12, 31)
    )
    teams = [f.TeamFactory(network=network, name=f"Team {k:02d}") for k in range(TEAMS)]
    measures = []
    for k in range(MEASURES):
        if k % 2:
            measures.append(
                f.MeasureFactory(
                    network=network,
                    code=f"count-{k}",
                    value_kind="count",
                    multiplier=1.0,
                    unit_label="",
                    direction="down",
                )
            )
        else:
            measures.append(f.MeasureFactory(network=network, code=f"share-{k}"))
    admin = f.UserFactory(role="admin", email="bench-admin@example.no")
    db.session.commit()
    return network, teams, measures, admin


def file_rows(teams, measures, seed: int = 1) -> list[list]:
    rng = np.random.default_rng(seed)
    rows = [list(COLUMNS)]
    for team in teams:
        for measure in measures:
            for k in range(MONTHS):
                month = add_months(FIRST, k).strftime("%Y-%m")
                if measure.is_ratio:
                    den = int(rng.integers(30, 40))
                    rows.append(
                        [team.name, measure.code, month, int(rng.binomial(den, 0.6)), den, None, None]
                    )
                else:
                    rows.append([team.name, measure.code, month, None, None, int(rng.poisson(3)), None])
    return rows


def run(database_url: str) -> dict:
    # The confirmed import is saved in the confirming request, so its time is measured whole.
    app = create_app(app_config(database_url, SERVER_NAME=None, JOB_RUNNER="inline"))
    results: dict[str, float] = {}
    with app.app_context():
        db.create_all()
        f.configure_factories(db.session)
        network, teams, measures, admin = build_world()
        scope = Scope(network)
        rows = file_rows(teams, measures)
        csv_content = write_csv(rows, excel_nb=True)
        xlsx_content = write_xlsx([("Data", rows)])
        print(
            f"  file: {len(rows) - 1:,} rows; CSV {len(csv_content) / 2**20:.1f} MB, "
            f"XLSX {len(xlsx_content) / 2**20:.1f} MB"
        )

        with app.test_request_context():
            with timed("read CSV (; and decimal commas)", results):
                table = read_table("bench.csv", csv_content)
            with timed("read XLSX (openpyxl read-only)", results):
                read_table("bench.xlsx", xlsx_content)
            with timed("preview: check 50,000 new rows", results):
                plan = plan_import(scope, table)
            assert not plan.errors, plan.errors[:5]
            with timed("commit: insert 50,000 rows with history", results):
                result = commit_import(scope, plan, admin, filename="bench.csv")
                db.session.commit()
            assert result.status == "done", result
            with timed("same file again: preview (all unchanged)", results):
                again = plan_import(scope, read_table("bench.csv", csv_content))
            assert not again.changes and again.counts["unchanged"] == 50_000

            changed = [row[:] for row in rows]
            for row in changed[1::10]:
                if row[3] is not None:
                    row[3] = max(0, row[3] - 1) if row[3] else 1
                else:
                    row[5] = row[5] + 1
            table = read_table("bench.csv", write_csv(changed))
            with timed("preview: 5,000 changed rows among 50,000", results):
                plan = plan_import(scope, table)
            with timed("commit: update 5,000 rows with history", results):
                result = commit_import(scope, plan, admin, filename="bench.csv")
                db.session.commit()
            assert result.status == "done" and plan.counts["update"] == 5_000, plan.counts

        # The whole path a user takes, with a fresh network so every row is new.
        network2 = f.NetworkFactory(
            name="Benchmark network 2", start_date=dt.date(2021, 1, 1), end_date=dt.date(2026, 12, 31)
        )
        teams2 = [f.TeamFactory(network=network2, name=f"Team {k:02d}") for k in range(TEAMS)]
        measures2 = [
            f.MeasureFactory(network=network2, code=m.code, value_kind=m.value_kind, multiplier=m.multiplier)
            for m in measures
        ]
        db.session.commit()
        content = write_xlsx([("Data", file_rows(teams2, measures2, seed=2))])
        network2_id = network2.id
        db.session.remove()

    # Outside any app context, so each request has its own context and session, as on a server.
    client = app.test_client()
    client.post("/login", data={"email": "bench-admin@example.no", "password": f.PASSWORD})
    with timed("HTTP: upload XLSX → preview page", results):
        response = client.post(
            f"/networks/{network2_id}/import",
            data={"file": (io.BytesIO(content), "bench.xlsx")},
            content_type="multipart/form-data",
        )
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    assert key, response.status_code
    with timed("HTTP: confirm → all 50,000 rows saved", results):
        response = client.post("/imports/commit", data={"key": key.group(1), "accept_warnings": "y"})
    assert response.status_code == 302, response.status_code

    with app.app_context():
        total = db.session.query(Measurement).count()
        assert total == 100_000, total
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return results


def main() -> None:
    server = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if server:
        print("bench_import on PostgreSQL", flush=True)
        with scratch_postgres_database(server, "bench") as url:
            run(url)
    else:
        print("bench_import on SQLite", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/bench.sqlite3")


if __name__ == "__main__":
    main()
