"""User accounts for administrators: who may log in, in what role, and in which units they work.

An administrator adds a user with a first password (the person changes it under "Password"),
changes name, e-mail, role, language and units, deactivates an account (it can no longer log in,
and a session already open ends at its next page), sets a new password and lifts a login block.
An administrator cannot deactivate their own account or take away their own admin role, and no
change may leave the county without an administrator who can log in. A save over another
administrator's newer change is refused, and any saved change ends the person's open sessions
(see ``User.get_id``).
"""

from __future__ import annotations

import re
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from learnnet import audit, clock
from learnnet.accounts import MIN_PASSWORD_LENGTH, ROLE_LABELS
from learnnet.admin import bp
from learnnet.auth.services import relogin
from learnnet.auth.throttle import (
    ThrottleLimits,
    blocked_addresses,
    forget_address,
    forget_failures,
    login_block,
)
from learnnet.extensions import db
from learnnet.forms import BaseForm, NewPasswordForm
from learnnet.models import ROLES, Municipality, Unit, UnitMembership, User

# Something@something.something, without spaces: enough to catch a slip; the person's first log-in
# proves the rest.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email_check(form, field) -> None:
    if not _EMAIL.match(field.data or ""):
        raise ValidationError(_l("Enter an e-mail address like name@kommune.no."))


# A unit removed by someone else while the form was open.
_GONE = _l(
    "A unit ticked here no longer exists; the list shows the units there are now. Check it and save again."
)


class UserForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254), _email_check])
    role = SelectField(
        _l("Role"), choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES], default="team_member"
    )
    language = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("As chosen at log-in")),
            SelectChoice("nb", "Norsk bokmål"),
            SelectChoice("en", "English"),
        ],
        default="",
    )
    # The account's change time when the form was filled: a save over someone else's newer change
    # is refused (see edit_user).
    seen = HiddenField()
    units = SelectMultipleField(_l("Works in"), coerce=int, invalid_choice_message=_GONE)
    leads = SelectMultipleField(_l("Team lead in"), coerce=int, invalid_choice_message=_GONE)
    active = BooleanField(_l("Can log in"), default=True)


class NewUserForm(UserForm, NewPasswordForm):
    pass


class UnlockForm(BaseForm):
    pass


def _account(user_id: int, *, lock: bool = False) -> User:
    """The user with this id (its row locked until the save ends, with ``lock``); 404 when there
    is none."""
    user = db.session.get(User, user_id, with_for_update=lock or None, populate_existing=lock)
    if user is None:
        abort(404)
    return user


def _user_form(user: User | None, groups: list[tuple[str, list[Unit]]]) -> UserForm:
    """The account form, filled from ``user`` as saved, or (None) from the request."""
    form = UserForm(obj=user, formdata=None) if user is not None else UserForm()
    form.units.choices = form.leads.choices = _unit_choices(groups)
    if user is not None:
        form.language.data = user.language or ""
        form.units.data = [m.unit_id for m in user.memberships]
        form.leads.data = [m.unit_id for m in user.memberships if m.is_lead]
        form.seen.data = _stamp(user)
    return form


def _stamp(user: User) -> str:
    return user.changed_at.isoformat() if user.changed_at else ""


def _saved_summary(user: User) -> str:
    """What is saved for the account, in a few words, for the message about someone else's change."""
    units = ", ".join(sorted(m.unit.name for m in user.memberships)) or "–"
    return _(
        "role %(role)s; can log in: %(active)s; works in: %(units)s",
        role=ROLE_LABELS[user.role],
        active=_("yes") if user.active else _("no"),
        units=units,
    )


def _last_administrator(user: User, form: UserForm) -> bool:
    """Whether the change would leave the county without an administrator who can log in. The
    administrators' rows stay locked until the save ends, so two administrators taking each
    other's role at once cannot both succeed (on PostgreSQL)."""
    if user.role != "admin" or not user.active or (form.role.data == "admin" and form.active.data):
        return False
    others = db.session.scalars(
        select(User.id)
        .where(User.role == "admin", User.active.is_(True), User.id != user.id)
        .with_for_update()
    ).all()
    return not others


def _unit_groups() -> list[tuple[str, list[Unit]]]:
    """Every unit, by municipality."""
    municipalities = db.session.scalars(
        select(Municipality).options(selectinload(Municipality.units)).order_by(Municipality.name)
    )
    return [(m.name, list(m.units)) for m in municipalities if m.units]


def _units_by_id(groups: list[tuple[str, list[Unit]]]) -> dict[int, Unit]:
    return {unit.id: unit for _name, units in groups for unit in units}


def _unit_choices(groups: list[tuple[str, list[Unit]]]) -> list[SelectChoice]:
    return [SelectChoice(unit.id, unit.name) for _name, units in groups for unit in units]


def _snapshot(user: User) -> dict[str, Any]:
    """What the audit log keeps of an account (never its password)."""
    return {
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "language": user.language,
        "active": user.active,
        "units": sorted(m.unit.name for m in user.memberships),
        "leads": sorted(m.unit.name for m in user.memberships if m.is_lead),
    }


def _email_taken(email: str, user: User | None) -> bool:
    query = select(User.id).where(func.lower(User.email) == email.lower())
    if user is not None:
        query = query.where(User.id != user.id)
    return db.session.scalar(query) is not None


def _apply(form: UserForm, user: User, units: dict[int, Unit]) -> None:
    user.name = form.name.data
    user.email = form.email.data.lower()
    user.role = form.role.data
    user.language = form.language.data or None
    user.active = bool(form.active.data)
    leads = set(form.leads.data or [])
    # A team lead works in the unit too.
    chosen = set(form.units.data or []) | leads
    kept = []
    for membership in user.memberships:
        if membership.unit_id in chosen:
            membership.is_lead = membership.unit_id in leads
            kept.append(membership)
    for unit_id in sorted(chosen - {m.unit_id for m in kept}):
        kept.append(UnitMembership(unit=units[unit_id], is_lead=unit_id in leads))
    user.memberships = kept


def _checked(form: UserForm, user: User | None) -> bool:
    """The form's own checks, then the ones that need the database and the acting user."""
    valid = form.validate_on_submit()
    if form.email.data and _email_taken(form.email.data, user):
        form.email.errors = [*form.email.errors, _("Another user already has this e-mail address.")]
        valid = False
    if user is not None and user.id == current_user.id:
        if form.role.data != "admin":
            form.role.errors = [*form.role.errors, _("You cannot take away your own administrator role.")]
            valid = False
        if not form.active.data:
            form.active.errors = [*form.active.errors, _("You cannot stop your own account from logging in.")]
            valid = False
    return valid


@bp.route("/users")
def users():
    text = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role", "")
    query = select(User).options(selectinload(User.memberships).joinedload(UnitMembership.unit))
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(func.lower(User.name).like(pattern) | func.lower(User.email).like(pattern))
    if role in ROLES:
        query = query.where(User.role == role)
    people = db.session.scalars(query.order_by(User.active.desc(), User.name)).all()
    limits = ThrottleLimits.from_config(current_app.config)
    return render_template(
        "admin/users.html",
        people=people,
        roles=ROLE_LABELS,
        selected={"q": text, "role": role},
        blocked=blocked_addresses(db.session, limits, clock.now()),
        unlock_form=UnlockForm(),
    )


@bp.route("/users/addresses/unblock", methods=["POST"])
def unblock_address():
    """Lift the block on a client address (a ward's router after several mistyped passwords)."""
    address = (request.form.get("address") or "").strip()
    if UnlockForm().validate_on_submit() and address:
        count = forget_address(db.session, address)
        audit.record(
            current_user,
            "login.unblock_address",
            object_type="failed_login",
            after={"address": address, "failed_logins_forgotten": count},
        )
        db.session.commit()
        flash(_("Log-ins from %(address)s are let through again.", address=address), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    groups = _unit_groups()
    form = NewUserForm()
    form.units.choices = form.leads.choices = _unit_choices(groups)
    if request.method == "POST" and _checked(form, None):
        user = User(name="", email="", role="team_member", password_hash="")
        _apply(form, user, _units_by_id(groups))
        user.active = True  # the form for a new user has no such box
        user.changed_at = clock.now()
        user.set_password(form.password.data)
        db.session.add(user)
        try:
            db.session.flush()
            audit.record(current_user, "user.create", user, after=_snapshot(user))
            db.session.commit()
        except IntegrityError:
            # The same person added twice at once (a double click): the first one stands.
            db.session.rollback()
            form.email.errors = [*form.email.errors, _("Another user already has this e-mail address.")]
        else:
            flash(_("%(name)s can now log in with %(email)s.", name=user.name, email=user.email), "success")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_form.html", form=form, groups=groups, user=None, min_password=MIN_PASSWORD_LENGTH
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = _account(user_id, lock=request.method == "POST")
    groups = _unit_groups()
    form = _user_form(user if request.method == "GET" else None, groups)
    if request.method == "POST" and _checked(form, user):
        if (form.seen.data or "") != _stamp(user):
            flash(
                _(
                    "Someone else changed %(name)s while you were editing. Nothing was saved. Saved now: "
                    "%(saved)s. Check the form and save again to keep your version.",
                    name=user.name,
                    saved=_saved_summary(user),
                ),
                "warning",
            )
            form.seen.data = _stamp(user)
            return _edit_page(user, form, groups, NewPasswordForm(formdata=None), 409)
        if _last_administrator(user, form):
            form.role.errors = [
                *form.role.errors,
                _("The county must keep at least one administrator who can log in."),
            ]
            return _edit_page(user, form, groups, NewPasswordForm(formdata=None), 409)
        before = _snapshot(user)
        _apply(form, user, _units_by_id(groups))
        db.session.flush()
        old, new = audit.changes(before, _snapshot(user))
        if new:
            user.changed_at = clock.now()
            audit.record(current_user, "user.update", user, before=old, after=new)
            db.session.commit()
            if user.id == current_user.id:
                relogin(user)
            flash(_("The changes to %(name)s are saved.", name=user.name), "success")
        else:
            flash(_("Nothing had changed; nothing was saved."), "info")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return _edit_page(user, form, groups, NewPasswordForm(formdata=None))


def _edit_page(user: User, form: UserForm, groups, password_form: NewPasswordForm, status: int = 200):
    limits = ThrottleLimits.from_config(current_app.config)
    block = login_block(db.session, user.email, None, limits, clock.now()) if limits.per_account else None
    return (
        render_template(
            "admin/user_form.html",
            form=form,
            groups=groups,
            user=user,
            password_form=password_form,
            unlock_form=UnlockForm(),
            block=block,
            min_password=MIN_PASSWORD_LENGTH,
        ),
        status,
    )


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def set_user_password(user_id: int):
    user = _account(user_id)
    password_form = NewPasswordForm()
    if not password_form.validate_on_submit():
        groups = _unit_groups()
        form = _user_form(user, groups)
        flash(_("The password was not changed. Correct the fields marked below."), "danger")
        return _edit_page(user, form, groups, password_form, 422)
    user.set_password(password_form.password.data)
    # A new password is also the way back in after too many failed log-ins.
    forget_failures(db.session, user.email)
    audit.record(current_user, "user.set_password", user)
    db.session.commit()
    # The person's sessions end (they were opened with the old password), but not this one.
    if user.id == current_user.id:
        relogin(user)
    flash(_("%(name)s has a new password. Give it to them in person or by phone.", name=user.name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
def unlock_user(user_id: int):
    user = _account(user_id)
    if UnlockForm().validate_on_submit():
        count = forget_failures(db.session, user.email)
        audit.record(current_user, "user.unlock", user, after={"failed_logins_forgotten": count})
        db.session.commit()
        flash(_("%(name)s can try to log in again now.", name=user.name), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))
