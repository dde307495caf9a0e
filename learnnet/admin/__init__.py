"""Administration: users, the county's organisation and the audit log. Administrators only."""

from flask import Blueprint, abort
from flask_login import current_user

from learnnet.extensions import login_manager

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def administrators_only():
    """Every page here: log in first, then 403 for anyone but an administrator."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role != "admin":
        abort(403)
    return None


from learnnet.admin import organisation, users, views  # noqa: E402,F401
