from __future__ import annotations

import io

import pytest

from tests.learnnet import factories as f


@pytest.fixture
def count_measure(world):
    return f.MeasureFactory(
        network=world.network,
        code="pressure-ulcers",
        name="Pressure ulcers",
        value_kind="count",
        multiplier=1.0,
        unit_label="",
        direction="down",
    )


def csv_bytes(text: str, *, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + text.strip() + "\n").encode("utf-8")


def upload(client, url: str, content: bytes, filename: str = "data.csv"):
    return client.post(
        url, data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )


@pytest.fixture(autouse=True)
def request_context(app, database):
    """Services translate their messages, which needs a request (the language is the user's)."""
    with app.test_request_context():
        yield


@pytest.fixture(autouse=True)
def save_in_the_request(app, monkeypatch):
    """A confirmed import is saved in the request, unless a test leaves it queued for a worker."""
    monkeypatch.setitem(app.config, "JOB_RUNNER", "inline")
