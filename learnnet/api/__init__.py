"""The JSON API under /api/v1 (personal API tokens only) and the page where users manage their tokens."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
tokens_bp = Blueprint("api_tokens", __name__, url_prefix="/account/api-tokens")

from learnnet.api import tokens, views  # noqa: E402,F401
