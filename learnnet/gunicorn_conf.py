"""gunicorn settings: ``gunicorn -c python:learnnet.gunicorn_conf wsgi:app``.

Every public name here is a gunicorn setting. The environment can change the ones that differ
between machines:

    LEARNNET_BIND                  address(es) to listen on, comma-separated (127.0.0.1:8000)
    LEARNNET_WORKERS               worker processes (2 × cores + 1, at most 8)
    LEARNNET_THREADS               threads per worker (4)
    LEARNNET_TIMEOUT               seconds a request may take before its worker is restarted (60)
    LEARNNET_FORWARDED_ALLOW_IPS   proxies whose X-Forwarded-Proto gunicorn trusts (127.0.0.1,::1)
    LEARNNET_LOG_LEVEL             gunicorn's error-log level (info)

Each worker holds its own SQLAlchemy connection pool, so a server opens up to about
workers × threads connections to PostgreSQL; keep workers × threads × servers well below the
server's ``max_connections``. That is why the worker count is capped.
"""

import os

_MAX_WORKERS = 8


def _cores() -> int:
    # The CPUs this process may run on (a container's share), not every CPU of the host.
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _whole_number(name: str, default: int, minimum: int = 1) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return int(value)


bind = [
    address.strip()
    for address in os.environ.get("LEARNNET_BIND", "127.0.0.1:8000").split(",")
    if address.strip()
]

workers = _whole_number("LEARNNET_WORKERS", min(2 * _cores() + 1, _MAX_WORKERS))
# Threads let a worker serve other requests while one waits on the database or draws a chart.
worker_class = "gthread"
threads = _whole_number("LEARNNET_THREADS", 4)

# A chart pack (PDF of every team's charts) is the slowest request; anything slower is stuck.
timeout = _whole_number("LEARNNET_TIMEOUT", 60)
# On restart or deploy, requests under way get this long to finish.
graceful_timeout = 30
# The reverse proxy keeps its connections to gunicorn open a little while between requests.
keepalive = 5

# Restart each worker now and then, staggered, so a slow leak cannot build up. Not often: a new
# worker imports the statistics and chart libraries again (over a second of CPU) and starts with
# empty page and chart caches (which are bounded, so they are no leak).
max_requests = 20000
max_requests_jitter = 2000

# Each worker opens its own database connections after the fork: nothing shared across processes.
preload_app = False

# The reverse proxy in front terminates TLS and says so in X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("LEARNNET_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Both logs to standard output/error, for the process supervisor (systemd journal) to keep.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LEARNNET_LOG_LEVEL", "info")
# Client (as the proxy saw it), time, request, status, size, response time in ms, referrer, agent.
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'

# The heartbeat file of each worker on a RAM disk where there is one (Docker's /tmp may be slow).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
proc_name = "learnnet"
