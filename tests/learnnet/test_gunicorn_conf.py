"""The gunicorn configuration module loads in gunicorn and gives sane values."""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import time
import types
import urllib.request
from pathlib import Path

import pytest
from gunicorn.app.base import Application

import learnnet.gunicorn_conf

ROOT = Path(__file__).resolve().parents[2]
VARIABLES = (
    "LEARNNET_BIND",
    "LEARNNET_WORKERS",
    "LEARNNET_THREADS",
    "LEARNNET_TIMEOUT",
    "LEARNNET_FORWARDED_ALLOW_IPS",
    "LEARNNET_LOG_LEVEL",
)


@pytest.fixture
def conf(monkeypatch):
    """The module read afresh from the environment the test sets up."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def load(**environ):
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(learnnet.gunicorn_conf)

    yield load
    monkeypatch.undo()
    importlib.reload(learnnet.gunicorn_conf)


class _ConfigOnly(Application):
    """gunicorn's own loader for ``-c python:learnnet.gunicorn_conf``, without parsing argv."""

    def load_config(self):
        self.load_config_from_module_name_or_filename("python:learnnet.gunicorn_conf")

    def load(self):
        raise AssertionError("the app is not loaded here")


def test_defaults_are_sane(conf):
    module = conf()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert module.workers == min(2 * cores + 1, module._MAX_WORKERS)
    assert 3 <= module.workers <= 8
    assert module.worker_class == "gthread" and module.threads >= 2
    assert module.bind == ["127.0.0.1:8000"]
    assert module.preload_app is False
    assert module.graceful_timeout <= module.timeout
    assert 1 <= module.keepalive <= 10
    assert "%(M)s" in module.access_log_format
    assert module.forwarded_allow_ips == "127.0.0.1,::1"


def test_every_public_name_is_a_gunicorn_setting(conf):
    module = conf()
    settings = _ConfigOnly().cfg.settings
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= set(settings), public - set(settings)


def test_gunicorn_loads_it(conf):
    conf(LEARNNET_WORKERS="3", LEARNNET_BIND="0.0.0.0:8080, [::]:8080")
    cfg = _ConfigOnly().cfg
    assert cfg.workers == 3
    assert cfg.threads == 4
    assert cfg.bind == ["0.0.0.0:8080", "[::]:8080"]
    assert cfg.preload_app is False
    assert cfg.worker_class_str == "gthread"
    assert cfg.timeout == 60


def test_environment_overrides(conf):
    module = conf(
        LEARNNET_WORKERS="12",
        LEARNNET_THREADS="2",
        LEARNNET_TIMEOUT="120",
        LEARNNET_FORWARDED_ALLOW_IPS="10.0.0.5",
    )
    assert (module.workers, module.threads, module.timeout) == (12, 2, 120)
    assert module.forwarded_allow_ips == "10.0.0.5"


@pytest.mark.parametrize("value", ["0", "many", "-1"])
def test_bad_numbers_are_refused(conf, value):
    with pytest.raises(ValueError, match="LEARNNET_WORKERS"):
        conf(LEARNNET_WORKERS=value)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_serves_the_app_with_this_config(tmp_path):
    port = _free_port()
    environ = {
        **os.environ,
        "LEARNNET_BIND": f"127.0.0.1:{port}",
        "LEARNNET_WORKERS": "1",
        "LEARNNET_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path}/g.sqlite3",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:learnnet.gunicorn_conf", "wsgi:app"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    assert response.read() == b"ok"
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=40)
    assert b"/healthz" in output  # the access log
    assert b"Booting worker" in output
