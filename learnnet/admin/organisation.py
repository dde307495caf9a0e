"""The county's organisation for administrators: municipalities and their units.

An administrator adds a municipality or a unit, renames it or changes its kind and size, and
removes it while nothing uses it (a unit with teams or members, or a municipality with units,
stays). Every change leaves an audit event, and a save made from an older version of the form than
the one saved now is refused with what is saved now.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Field, HiddenField, IntegerField, SelectChoice, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from learnnet import audit, permissions
from learnnet.admin import bp
from learnnet.extensions import db
from learnnet.forms import BaseForm
from learnnet.models import Municipality, Region, Team, Unit, UnitMembership, User
from learnnet.models.org import SIZE_KINDS, UNIT_KINDS

UNIT_KIND_NAMES = {
    "nursing_home_ward": _l("Nursing-home ward"),
    "home_care_district": _l("Home-care district"),
    "supported_housing": _l("Supported housing"),
    "short_term_ward": _l("Short-term ward"),
    "other": _l("Other"),
}
SIZE_KIND_NAMES = {"beds": _l("Beds"), "service_users": _l("Service users")}
# More than any ward or home-care district has; keeps a mistyped number out of the database.
LARGEST_SIZE = 100_000


# Forms -----------------------------------------------------------------------------------------


def printable(form: BaseForm, field: Field) -> None:
    """No control characters in a name (PostgreSQL refuses a NUL byte in text outright)."""
    if field.data and any(unicodedata.category(c) == "Cc" for c in field.data):
        raise ValidationError(_l("Use letters, digits and punctuation only (no tabs or line breaks)."))


class MunicipalityForm(BaseForm):
    # The version the form was filled from: a save over someone else's newer change is refused.
    version = HiddenField()
    region = SelectField(_l("County"), coerce=int)
    # Only on a new installation, which has no county yet: the first municipality names it.
    county = StringField(
        _l("County"), validators=[DataRequired(_l("Give the county a name.")), Length(max=120), printable]
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Give the municipality a name.")), Length(max=120), printable],
    )
    number = StringField(
        _l("Municipality number (optional)"),
        validators=[
            Optional(),
            Regexp(r"\A[0-9]{4}\Z", message=_l("A municipality number has four digits, e.g. 3901.")),
        ],
    )


class UnitForm(BaseForm):
    # The version the form was filled from: a save over someone else's newer change is refused.
    version = HiddenField()
    municipality = SelectField(_l("Municipality"), coerce=int)
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the unit a name.")), Length(max=160), printable]
    )
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, UNIT_KIND_NAMES[k]) for k in UNIT_KINDS])
    size = IntegerField(
        _l("Size (optional)"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=LARGEST_SIZE,
                message=_l("A size is a whole number from 1 to %(max)d; leave it empty when unknown."),
            ),
        ],
    )
    size_kind = SelectField(
        _l("Size counted in"), choices=[SelectChoice(k, SIZE_KIND_NAMES[k]) for k in SIZE_KINDS]
    )


# Services --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """What uses a unit or municipality, and so keeps it from being removed."""

    networks: tuple[str, ...] = ()
    members: int = 0
    units: int = 0

    @property
    def removable(self) -> bool:
        return not (self.networks or self.members or self.units)

    def reasons(self) -> list[str]:
        reasons = []
        if self.networks:
            reasons.append(
                ngettext(
                    "It has a team in the network %(names)s.",
                    "It has teams in %(num)d networks: %(names)s.",
                    len(self.networks),
                    names=", ".join(self.networks),
                )
            )
        if self.members:
            reasons.append(ngettext("%(num)d user works in it.", "%(num)d users work in it.", self.members))
        if self.units:
            reasons.append(ngettext("It has %(num)d unit.", "It has %(num)d units.", self.units))
        return reasons


def unit_usage(unit: Unit) -> Usage:
    networks = db.session.scalars(
        select(Team).where(Team.unit_id == unit.id).options(joinedload(Team.network))
    ).all()
    members = db.session.scalar(
        select(func.count()).select_from(UnitMembership).where(UnitMembership.unit_id == unit.id)
    )
    return Usage(networks=tuple(sorted(t.network.name for t in networks)), members=members or 0)


def municipality_usage(municipality: Municipality) -> Usage:
    units = db.session.scalar(
        select(func.count()).select_from(Unit).where(Unit.municipality_id == municipality.id)
    )
    return Usage(units=units or 0)


def team_counts() -> dict[int, int]:
    """How many teams (enrolments in networks) each unit has, by unit id."""
    rows = db.session.execute(select(Team.unit_id, func.count()).group_by(Team.unit_id))
    return {unit_id: count for unit_id, count in rows}


def regions() -> list[Region]:
    """The regions with their municipalities and units, for the overview."""
    return list(
        db.session.scalars(
            select(Region)
            .order_by(Region.name)
            .options(selectinload(Region.municipalities).selectinload(Municipality.units))
        )
    )


def _same_name(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def unit_name_taken(municipality: Municipality, name: str, unit: Unit | None = None) -> bool:
    """Whether another unit of ``municipality`` has this name (in any case)."""
    return any(_same_name(u.name, name) for u in municipality.units if u is not unit)


def municipality_name_taken(region: Region, name: str, municipality: Municipality | None = None) -> bool:
    return any(_same_name(m.name, name) for m in region.municipalities if m is not municipality)


def municipality_number_taken(number: str, municipality: Municipality | None = None) -> Municipality | None:
    """The other municipality with this number, if any: a number names one municipality in Norway."""
    query = select(Municipality).where(Municipality.number == number)
    if municipality is not None:
        query = query.where(Municipality.id != municipality.id)
    return db.session.scalars(query).first()


def _unit_values(unit: Unit) -> dict:
    return {
        "municipality": unit.municipality.name,
        "name": unit.name,
        "kind": unit.kind,
        "size": unit.size,
        "size_kind": unit.size_kind,
    }


def _municipality_values(municipality: Municipality) -> dict:
    return {"region": municipality.region.name, "name": municipality.name, "number": municipality.number}


def create_unit(user: User, municipality: Municipality, **values) -> Unit:
    unit = Unit(municipality=municipality, **values)
    db.session.add(unit)
    db.session.flush()
    audit.record(user, "unit.create", unit, after=_unit_values(unit))
    return unit


def update_unit(user: User, unit: Unit, municipality: Municipality, **values) -> bool:
    """Change the unit; False when nothing differed (and nothing is recorded)."""
    before = _unit_values(unit)
    unit.municipality = municipality
    for name, value in values.items():
        setattr(unit, name, value)
    old, new = audit.changes(before, _unit_values(unit))
    if not new:
        return False
    db.session.flush()
    audit.record(user, "unit.update", unit, before=old, after=new)
    return True


def remove_unit(user: User, unit: Unit) -> str:
    """Remove the unit (the caller has checked that nothing uses it); its name, for the message."""
    audit.record(user, "unit.delete", unit, before=_unit_values(unit))
    db.session.delete(unit)
    db.session.flush()
    return unit.name


def create_municipality(user: User, region: Region, *, name: str, number: str | None) -> Municipality:
    """Add the municipality; on a new installation ``region`` is the county, new as well."""
    new_region = region.id is None
    municipality = Municipality(region=region, name=name, number=number)
    db.session.add(municipality)
    db.session.flush()
    if new_region:
        audit.record(user, "region.create", region, after={"name": region.name})
    audit.record(user, "municipality.create", municipality, after=_municipality_values(municipality))
    return municipality


def update_municipality(
    user: User, municipality: Municipality, region: Region, *, name: str, number: str | None
) -> bool:
    before = _municipality_values(municipality)
    municipality.region, municipality.name, municipality.number = region, name, number
    old, new = audit.changes(before, _municipality_values(municipality))
    if not new:
        return False
    db.session.flush()
    audit.record(user, "municipality.update", municipality, before=old, after=new)
    return True


def remove_municipality(user: User, municipality: Municipality) -> str:
    """Remove the municipality (the caller has checked it has no units); its name, for the message."""
    audit.record(user, "municipality.delete", municipality, before=_municipality_values(municipality))
    db.session.delete(municipality)
    db.session.flush()
    return municipality.name


# Views -----------------------------------------------------------------------------------------


def _commit(work: Callable[[], object]) -> object | None:
    """Do ``work`` and commit; None when the database refused it because another administrator
    saved the same name, or changed or removed the object, a moment earlier."""
    try:
        result = work()
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        flash(_("Someone else saved a change at the same time; nothing was saved. Try again."), "danger")
        return None
    return result


def _not_saved() -> None:
    flash(_("Nothing was saved. Correct the fields marked below."), "danger")


def _newer(form: MunicipalityForm | UnitForm, saved: Municipality | Unit | None) -> bool:
    """Whether someone else saved ``saved`` since the form was filled; if so, says so and lets
    the next save keep the form's version."""
    if saved is None or str(form.version.data) == str(saved.version):
        return False
    flash(
        _(
            "Someone else changed %(name)s while you were editing. Nothing was saved; the form shows "
            "your version: save again to keep it.",
            name=saved.name,
        ),
        "warning",
    )
    form.version.data = saved.version
    return True


@bp.route("/organisation")
def organisation():
    return render_template(
        "admin/organisation.html",
        regions=regions(),
        teams=team_counts(),
        kind_names=UNIT_KIND_NAMES,
    )


def _region_choices(form: MunicipalityForm) -> list[Region]:
    """The regions to choose from. With one, the form does not ask; with none (a new
    installation), it asks for the county's name instead."""
    found = list(db.session.scalars(select(Region).order_by(Region.name)))
    if len(found) < 2:
        del form.region
    else:
        form.region.choices = [SelectChoice(r.id, r.name) for r in found]
    if found:
        del form.county
    return found


def _municipality_form(municipality: Municipality | None):
    """The form, the region it names (a new one, not yet added, on a new installation) and
    whether it checks out."""
    form = MunicipalityForm(obj=municipality)
    found = _region_choices(form)
    if municipality is not None and request.method == "GET" and "region" in form:
        form.region.data = municipality.region_id
    if not form.is_submitted():
        return form, None, False
    ok = form.validate() and not _newer(form, municipality)
    if "county" in form:
        region = Region(name=form.county.data or "")
    else:
        region = next((r for r in found if "region" not in form or r.id == form.region.data), None)
    if (
        region is not None
        and form.name.data
        and municipality_name_taken(region, form.name.data, municipality)
    ):
        form.name.errors.append(
            _("%(region)s has a municipality with this name already.", region=region.name)
        )
        ok = False
    if form.number.data and not form.number.errors:
        other = municipality_number_taken(form.number.data, municipality)
        if other is not None:
            form.number.errors.append(_("%(name)s has this number already.", name=other.name))
            ok = False
    return form, region, ok and region is not None


@bp.route("/organisation/municipalities/new", methods=["GET", "POST"])
def new_municipality():
    form, region, ok = _municipality_form(None)
    if ok:
        name, number = form.name.data, form.number.data or None
        if _commit(lambda: create_municipality(current_user, region, name=name, number=number)):
            flash(_("%(name)s is added.", name=name), "success")
            return redirect(url_for("admin.organisation"))
    elif request.method == "POST":
        _not_saved()
    return render_template("admin/organisation_municipality.html", form=form, municipality=None, usage=None)


@bp.route("/organisation/municipalities/<int:municipality_id>", methods=["GET", "POST"])
def edit_municipality(municipality_id: int):
    municipality = permissions.one_or_404(Municipality, municipality_id)
    form, region, ok = _municipality_form(municipality)
    if ok:
        name, number = form.name.data, form.number.data or None
        changed = _commit(
            lambda: update_municipality(current_user, municipality, region, name=name, number=number)
        )
        if changed is not None:
            if changed:
                flash(_("%(name)s is saved.", name=name), "success")
            else:
                flash(_("Nothing had changed; nothing was saved."), "info")
            return redirect(url_for("admin.organisation"))
        municipality = permissions.one_or_404(Municipality, municipality_id)
    elif request.method == "POST":
        _not_saved()
    return render_template(
        "admin/organisation_municipality.html",
        form=form,
        municipality=municipality,
        usage=municipality_usage(municipality),
    )


@bp.route("/organisation/municipalities/<int:municipality_id>/delete", methods=["POST"])
def delete_municipality(municipality_id: int):
    municipality = permissions.one_or_404(Municipality, municipality_id)
    usage = municipality_usage(municipality)
    if not usage.removable:
        flash(_cannot_remove(municipality.name, usage), "danger")
        return redirect(url_for("admin.edit_municipality", municipality_id=municipality.id))
    removed = _commit(lambda: remove_municipality(current_user, municipality))
    if removed:
        flash(_("%(name)s is removed.", name=removed), "success")
    return redirect(url_for("admin.organisation"))


def _cannot_remove(name: str, usage: Usage) -> str:
    return _("%(name)s cannot be removed while it is in use.", name=name) + " " + " ".join(usage.reasons())


def _unit_form(unit: Unit | None):
    """The form, the municipality it names and whether it checks out."""
    form = UnitForm(obj=unit)
    municipalities = {
        m.id: m
        for m in db.session.scalars(
            select(Municipality).join(Municipality.region).order_by(Region.name, Municipality.name)
        )
    }
    several = len({m.region_id for m in municipalities.values()}) > 1
    form.municipality.choices = [
        SelectChoice(m.id, f"{m.region.name} · {m.name}" if several else m.name)
        for m in municipalities.values()
    ]
    if request.method == "GET":
        if unit is not None:
            form.municipality.data = unit.municipality_id
        else:
            form.municipality.data = request.args.get("municipality", type=int)
    if not form.is_submitted():
        return form, None, False
    ok = form.validate() and not _newer(form, unit)
    municipality = municipalities.get(form.municipality.data)
    if municipality is not None and form.name.data and unit_name_taken(municipality, form.name.data, unit):
        form.name.errors.append(
            _("%(municipality)s has a unit with this name already.", municipality=municipality.name)
        )
        ok = False
    return form, municipality, ok


def _unit_values_from(form: UnitForm) -> dict:
    return {
        "name": form.name.data,
        "kind": form.kind.data,
        "size": form.size.data,
        "size_kind": form.size_kind.data,
    }


@bp.route("/organisation/units/new", methods=["GET", "POST"])
def new_unit():
    form, municipality, ok = _unit_form(None)
    if ok:
        values = _unit_values_from(form)
        if _commit(lambda: create_unit(current_user, municipality, **values)):
            flash(_("%(name)s is added.", name=values["name"]), "success")
            return redirect(url_for("admin.organisation"))
    elif request.method == "POST":
        _not_saved()
    return render_template("admin/organisation_unit.html", form=form, unit=None, usage=None)


@bp.route("/organisation/units/<int:unit_id>", methods=["GET", "POST"])
def edit_unit(unit_id: int):
    unit = permissions.one_or_404(Unit, unit_id)
    form, municipality, ok = _unit_form(unit)
    if ok:
        values = _unit_values_from(form)
        changed = _commit(lambda: update_unit(current_user, unit, municipality, **values))
        if changed is not None:
            if changed:
                flash(_("%(name)s is saved.", name=values["name"]), "success")
            else:
                flash(_("Nothing had changed; nothing was saved."), "info")
            return redirect(url_for("admin.organisation"))
        unit = permissions.one_or_404(Unit, unit_id)
    elif request.method == "POST":
        _not_saved()
    return render_template("admin/organisation_unit.html", form=form, unit=unit, usage=unit_usage(unit))


@bp.route("/organisation/units/<int:unit_id>/delete", methods=["POST"])
def delete_unit(unit_id: int):
    unit = permissions.one_or_404(Unit, unit_id)
    usage = unit_usage(unit)
    if not usage.removable:
        flash(_cannot_remove(unit.name, usage), "danger")
        return redirect(url_for("admin.edit_unit", unit_id=unit.id))
    removed = _commit(lambda: remove_unit(current_user, unit))
    if removed:
        flash(_("%(name)s is removed.", name=removed), "success")
    return redirect(url_for("admin.organisation"))
