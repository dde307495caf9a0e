from flask import Blueprint

bp = Blueprint("networks", __name__, url_prefix="/networks")

from learnnet.networks import pack_views, views  # noqa: E402,F401
