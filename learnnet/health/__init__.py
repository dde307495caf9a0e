"""Liveness and readiness probes for the load balancer and the process supervisor."""

from flask import Blueprint

bp = Blueprint("health", __name__)

from learnnet.health import views  # noqa: E402,F401
