from flask import Blueprint

bp = Blueprint("teams", __name__, url_prefix="/teams")

from learnnet.teams import measure, views, work  # noqa: E402,F401  (the routes register on bp)
