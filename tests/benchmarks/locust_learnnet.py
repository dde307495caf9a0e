"""Locust users for learnnet with the demo county: team members entering months, facilitators
opening dashboards and charts.

The statistics start afresh once every user has logged in and found their pages: the figures are
those of logged-in use, not of the rush of 32 logins at once (each password check costs tens of
milliseconds of CPU by design).
"""

from __future__ import annotations

import random
import re

from locust import FastHttpUser, between, task

TEAM_MEMBERS = [
    ("team@demo.learnnet.no", "demo-team-2026"),
    ("teamleder@demo.learnnet.no", "demo-teamleder-2026"),
]
FACILITATOR = ("veileder@demo.learnnet.no", "demo-veileder-2026")
_ready = 0


def ready(user) -> None:
    """Called at the end of each user's start; the last one resets the statistics."""
    global _ready
    _ready += 1
    runner = user.environment.runner
    if runner is not None and _ready == runner.target_user_count:
        runner.stats.reset_all()


TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _token(page: str) -> str:
    match = TOKEN.search(page)
    return next(group for group in match.groups() if group)


class _LoggedIn(FastHttpUser):
    abstract = True
    wait_time = between(0.0, 0.05)
    login: tuple[str, str]

    def on_start(self):
        page = self.client.get("/login", name="login page").text
        response = self.client.post(
            "/login",
            data={"csrf_token": _token(page), "email": self.login[0], "password": self.login[1]},
            name="log in",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login failed for {self.login[0]}: {response.status_code}")


class TeamMember(_LoggedIn):
    """A nurse at a tablet: a page every second or two."""

    weight = 3
    wait_time = between(1.0, 2.0)

    def on_start(self):
        self.login = random.choice(TEAM_MEMBERS)
        super().on_start()
        page = self.client.get("/my-teams", name="my teams").text
        self.teams = sorted(set(re.findall(r'href="/teams/(\d+)"', page)))
        ready(self)

    @task(4)
    def entry_page(self):
        self.client.get(f"/teams/{random.choice(self.teams)}/entry", name="entry page")

    @task(1)
    def save_month(self):
        url = f"/teams/{random.choice(self.teams)}/entry"
        page = self.client.get(url, name="entry page").text
        data = {"csrf_token": _token(page), "confirm": "y"}
        for name, value in re.findall(r'name="(version_\d+)"[^>]*value="(\d+)"', page):
            data[name] = value
        for name, value in re.findall(r'id="((?:num|den|val)_\d+)"[^>]*value="([^"]*)"', page):
            data[name] = value
        with self.client.post(
            url, data=data, name="save month", allow_redirects=False, catch_response=True
        ) as r:
            # 302: saved; 200: shown again (a conflict with another user, or nothing to save).
            if r.status_code in (200, 302):
                r.success()


class Facilitator(_LoggedIn):
    weight = 1
    wait_time = between(1.0, 2.0)
    login = FACILITATOR

    def on_start(self):
        super().on_start()
        page = self.client.get("/networks/", name="networks").text
        self.networks = sorted(set(re.findall(r'href="/networks/(\d+)"', page)))
        dashboard = self.client.get(f"/networks/{self.networks[0]}", name="network dashboard").text
        self.teams = sorted(set(re.findall(r'href="/teams/(\d+)"', dashboard)))
        team_page = self.client.get(f"/teams/{self.teams[0]}", name="team page").text
        self.charts = sorted(set(re.findall(r'src="(/teams/\d+/measures/\d+/chart\.png)"', team_page)))
        ready(self)

    @task(2)
    def dashboard(self):
        self.client.get(f"/networks/{random.choice(self.networks)}", name="network dashboard")

    @task(1)
    def chart(self):
        if self.charts:
            self.client.get(random.choice(self.charts), name="chart png")


class EntryPageOnly(_LoggedIn):
    """Only the entry page, as fast as the server answers: compared with the bare hello view."""

    weight = 1

    def on_start(self):
        self.login = random.choice(TEAM_MEMBERS)
        super().on_start()
        page = self.client.get("/my-teams", name="my teams").text
        self.teams = sorted(set(re.findall(r'href="/teams/(\d+)"', page)))
        ready(self)

    @task
    def entry_page(self):
        self.client.get(f"/teams/{random.choice(self.teams)}/entry", name="entry page")


class ReadinessOnly(FastHttpUser):
    """/readyz only (no login; one ``SELECT 1``), back to back: what a single database round trip
    costs under the same server, for scale beside hello and the entry page."""

    @task
    def ready(self):
        self.client.get("/readyz", name="readyz")
