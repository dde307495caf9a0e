"""The web load benchmark (``make bench-web``): gunicorn with PostgreSQL and the demo county.

It serves learnnet and a bare Flask "hello" view under the same gunicorn settings
(learnnet/gunicorn_conf.py), drives each with locust at 32 concurrent users, and prints requests
per second, p50/p99 per request kind, errors, and the entry page's throughput as a share of hello's.
For scale it also drives learnnet's /readyz (no login, one ``SELECT 1``): the cost of a single
database round trip under the same server.
Hello and the entry-page run send requests back to back (throughput); the mixed run's users wait
1–2 s between pages, as people at a tablet or laptop do (latency under a realistic load). The
learnnet runs count from the moment every user has logged in (see locust_learnnet.py).
The database is a scratch PostgreSQL database (from BENCH_DATABASE_URL or TEST_DATABASE_URL, default
the local server), created here and dropped at the end.
"""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
USERS = int(os.environ.get("BENCH_USERS", "32"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "30"))
SERVER = (
    os.environ.get("BENCH_DATABASE_URL")
    or os.environ.get("TEST_DATABASE_URL")
    or ("postgresql+psycopg://postgres@127.0.0.1:5432/test")
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def gunicorn(app: str, port: int, env: dict) -> subprocess.Popen:
    env = dict(env, LEARNNET_BIND=f"127.0.0.1:{port}")
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "python:learnnet.gunicorn_conf", "--access-logfile", "/dev/null", app],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def locust(locustfile: str, port: int, out: Path, *classes: str) -> dict[str, dict[str, str]]:
    result = subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "tests" / "benchmarks" / locustfile),
            *classes,
            "--headless",
            "-u",
            str(USERS),
            "-r",
            str(USERS),
            "-t",
            f"{SECONDS}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(out),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if not Path(f"{out}_stats.csv").exists():
        raise RuntimeError(f"locust failed: {result.stderr[-2000:]}")
    with open(f"{out}_stats.csv", newline="") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def show(title: str, stats: dict[str, dict[str, str]]) -> None:
    print(f"\n{title} ({USERS} users, {SECONDS} s)")
    print(f"  {'request':<20} {'count':>7} {'errors':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, row in stats.items():
        print(
            f"  {name:<20} {row['Request Count']:>7} {row['Failure Count']:>7} "
            f"{float(row['Requests/s']):>8.1f} {row['50%']:>8} {row['99%']:>8}"
        )


def main() -> int:
    url = make_url(SERVER)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    name = f"learnnet_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    database_url = url.set(database=name).render_as_string(hide_password=False)
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY="bench-" + uuid.uuid4().hex,
        LEARNNET_ENV="development",
        FLASK_APP="wsgi.py",
        LEARNNET_LOGIN_FAILURES_PER_ADDRESS="0",
    )
    servers: list[subprocess.Popen] = []
    try:
        subprocess.run(
            [str(BIN / "flask"), "db", "upgrade"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        subprocess.run(
            [str(BIN / "flask"), "demo", "load"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
        with tempfile.TemporaryDirectory() as tmp:
            hello_port, app_port = free_port(), free_port()
            hello_env = dict(env, PYTHONPATH=str(ROOT))
            servers.append(gunicorn("tests.benchmarks.hello_app:app", hello_port, hello_env))
            wait_for(f"http://127.0.0.1:{hello_port}/")
            hello = locust("locust_hello.py", hello_port, Path(tmp) / "hello")
            servers.pop().send_signal(signal.SIGTERM)

            servers.append(gunicorn("wsgi:app", app_port, env))
            wait_for(f"http://127.0.0.1:{app_port}/healthz")
            ready = locust("locust_learnnet.py", app_port, Path(tmp) / "ready", "ReadinessOnly")
            entry = locust("locust_learnnet.py", app_port, Path(tmp) / "entry", "EntryPageOnly")
            mixed = locust("locust_learnnet.py", app_port, Path(tmp) / "mixed", "TeamMember", "Facilitator")
        show("bare Flask hello", hello)
        show("learnnet /readyz only: no login, one database query", ready)
        show("learnnet entry page only", entry)
        show(
            "learnnet mixed, 1–2 s between pages: team members entering, "
            "facilitators on dashboards and charts",
            mixed,
        )
        if "entry page" not in entry or "entry page" not in mixed:
            print("\nThe users did not get past logging in within the run; run longer (BENCH_SECONDS).")
            return 1
        hello_rps = float(hello["hello"]["Requests/s"])
        entry_rps = float(entry["entry page"]["Requests/s"])
        errors = sum(int(run["Aggregated"]["Failure Count"]) for run in (entry, mixed))
        print(
            f"\nentry page at {entry_rps / hello_rps:.0%} of hello's requests per second (target >= 25 %); "
            f"/readyz, one query and no login, at {float(ready['readyz']['Requests/s']) / hello_rps:.0%}"
            f"\nentry page p99 with 32 users at work {mixed['entry page']['99%']} ms (target < 100 ms); "
            f"back to back {entry['entry page']['99%']} ms (hello back to back: {hello['hello']['99%']} ms)"
            f"\nnetwork dashboard p99 with people at work {mixed['network dashboard']['99%']} ms (target < 200 ms)"
            f"\nerrors {errors} (target 0)"
        )
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
