from flask import Blueprint

bp = Blueprint("teams", __name__, url_prefix="/teams")

from learnnet.teams import (
    measure,  # noqa: E402,F401
    views,  # noqa: E402,F401
    work,  # noqa: E402,F401
)
