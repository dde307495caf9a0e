"""The page where a logged-in user makes, lists and revokes their personal API tokens."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from learnnet.api import auth, tokens_bp
from learnnet.extensions import db
from learnnet.forms import BaseForm
from learnnet.models import ApiToken


class TokenForm(BaseForm):
    name = StringField(
        _l("What the token is for"),
        validators=[DataRequired(), Length(max=100)],
        render_kw={"placeholder": _l("e.g. the municipality's reporting system")},
    )
    days = SelectField(
        _l("Works for"),
        coerce=int,
        default=auth.DEFAULT_DAYS,
        choices=[
            SelectChoice(90, _l("90 days")),
            SelectChoice(365, _l("one year")),
            SelectChoice(730, _l("two years")),
        ],
    )


class RevokeForm(BaseForm):
    pass


@tokens_bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        _token, secret = auth.create_token(current_user, form.name.data, form.days.data)
        db.session.commit()
        form = TokenForm(formdata=None)
    response = make_response(
        render_template(
            "api/tokens.html",
            form=form,
            secret=secret,
            tokens=auth.user_tokens(current_user),
            revoke_form=RevokeForm(),
        )
    )
    # The secret is shown once; no cache may keep the page.
    response.headers["Cache-Control"] = "no-store"
    return response


@tokens_bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if RevokeForm().validate_on_submit():
        auth.revoke_token(token, current_user)
        db.session.commit()
        flash(_("The token %(name)s is revoked; it no longer works.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
