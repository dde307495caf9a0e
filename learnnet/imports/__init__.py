"""Import of measurement files (CSV, XLSX) with a preview, and export of a team's or network's data."""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from learnnet.imports import views  # noqa: E402,F401
