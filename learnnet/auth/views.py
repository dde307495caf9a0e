from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import joinedload

from learnnet import audit, clock
from learnnet.accounts import MIN_PASSWORD_LENGTH
from learnnet.auth import bp, throttle
from learnnet.auth.forms import ChangePasswordForm, LanguageForm, LoginForm, RemindersForm
from learnnet.auth.services import authenticate, relogin
from learnnet.extensions import db, login_manager
from learnnet.models import User

log = logging.getLogger(__name__)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user a session names (see ``User.get_id``); None ends the session."""
    user_id, _sep, mark = session_id.partition(":")
    if not user_id.isdigit():
        return None
    # Every page asks for the memberships (navigation, permissions): loaded with the user.
    user = db.session.get(User, int(user_id), options=[joinedload(User.memberships)])
    # A deactivated account's open sessions end at their next request, and so do sessions opened
    # before a new password or an administrator's change to the account.
    if user is None or not user.active or mark != user.session_mark:
        return None
    return user


def _safe_next(target: str | None) -> str | None:
    """Only paths on this site; never an address elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _flash_blocked(block: throttle.LoginBlock) -> None:
    flash(
        ngettext(
            "Too many failed log-in attempts. Please wait %(num)d minute and try again.",
            "Too many failed log-in attempts. Please wait %(num)d minutes and try again.",
            block.minutes,
        ),
        "danger",
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        limits = throttle.ThrottleLimits.from_config(current_app.config)
        address, now = request.remote_addr, clock.now()
        block = throttle.login_block(db.session, form.email.data, address, limits, now)
        if block is not None:
            log.warning(
                "log-in refused by the throttle (%s): %s from %s", block.reason, form.email.data, address
            )
            _flash_blocked(block)
            retry_after = str(int(block.retry_after.total_seconds()) + 1)
            return render_template("auth/login.html", form=form), 429, {"Retry-After": retry_after}
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            throttle.record_failure(db.session, form.email.data, address, now, limits)
            db.session.commit()
            flash(_("Wrong e-mail or password."), "danger")
        else:
            throttle.forget_failures(db.session, form.email.data)
            login_user(user, remember=form.remember.data)
            audit.record(user, "login", user)
            db.session.commit()
            return redirect(_safe_next(form.next.data) or url_for("home.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["language"] = form.language.data
        if current_user.is_authenticated:
            current_user.language = form.language.data
            db.session.commit()
    return redirect(_safe_next(form.next.data) or url_for("home.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """The user changes their own password; the one they have now proves it is them."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        limits = throttle.ThrottleLimits.from_config(current_app.config)
        address, now = request.remote_addr, clock.now()
        # Guessing the password here counts like guessing it at the log-in.
        block = throttle.login_block(db.session, current_user.email, address, limits, now)
        if block is not None:
            _flash_blocked(block)
            return render_template("auth/password.html", form=form, min_password=MIN_PASSWORD_LENGTH), 429
        if not current_user.check_password(form.current.data):
            throttle.record_failure(db.session, current_user.email, address, now, limits)
            db.session.commit()
            form.current.errors = [_("This is not your password now.")]
        else:
            current_user.set_password(form.password.data)
            audit.record(current_user, "user.set_password", current_user)
            db.session.commit()
            # Other sessions end with the old password; this one goes on with the new.
            relogin(current_user._get_current_object())
            flash(_("Your new password is saved. Use it the next time you log in."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form, min_password=MIN_PASSWORD_LENGTH)


@bp.route("/account/reminders", methods=["GET", "POST"])
@login_required
def reminders():
    """Everyone chooses whether they get e-mail reminders of their team's months."""
    # An unticked box sends nothing: on a POST the choice is only what was sent.
    form = RemindersForm(obj=current_user if request.method == "GET" else None)
    if form.validate_on_submit():
        current_user.reminders = form.reminders.data
        db.session.commit()
        if form.reminders.data:
            flash(_("You get e-mail reminders when your team's numbers are due."), "success")
        else:
            flash(_("You get no more e-mail reminders."), "success")
        return redirect(url_for("auth.reminders"))
    return render_template("auth/reminders.html", form=form)
