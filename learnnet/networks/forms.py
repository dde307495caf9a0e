"""Forms for setting up a network: the network itself, its measures, teams and learning sessions."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from learnnet.forms import BaseForm, CountField, DecimalField
from learnnet.models.networks import NETWORK_STATUSES
from learnnet.networks.packs import PackChoice
from measures.rules import DIRECTIONS, RULE_SETS
from measures.spc import CHART_KINDS

RULE_SET_NAMES = {
    "anhoej": _l("Anhøj rules (qicharts2)"),
    "ihi": _l("IHI run-chart rules"),
    "mdc": _l("NHS Making Data Count"),
}
STATUS_NAMES = {"planned": _l("planned"), "active": _l("active"), "closed": _l("closed")}
DIRECTION_NAMES = {"up": _l("Higher is better"), "down": _l("Lower is better")}


class NetworkForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    topic = StringField(_l("Topic"), validators=[DataRequired(), Length(max=60)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    start_date = DateField(_l("Start"), validators=[InputRequired()])
    end_date = DateField(_l("End"), validators=[InputRequired()])
    status = SelectField(_l("Status"), choices=[SelectChoice(s, STATUS_NAMES[s]) for s in NETWORK_STATUSES])
    rule_set = SelectField(
        _l("Rules for reading the charts"), choices=[SelectChoice(r, RULE_SET_NAMES[r]) for r in RULE_SETS]
    )
    language = SelectField(
        _l("Language of the measure definitions"),
        choices=[SelectChoice("nb", "Norsk bokmål"), SelectChoice("en", "English")],
    )
    reminder_day = CountField(
        _l("Reminder day: the day of the next month a month's numbers are due"),
        validators=[InputRequired(), NumberRange(min=1, max=28, message=_l("Choose a day from 1 to 28."))],
    )

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end must come after the start."))


class NewNetworkForm(NetworkForm):
    # A new network is reminded on the default day; it is changed on the set-up page.
    reminder_day = None
    region = SelectField(_l("County"), coerce=int)
    templates = SelectMultipleField(_l("Measures from the template library"), coerce=int)


class AddMeasureForm(BaseForm):
    template = SelectField(_l("Measure template"), coerce=int)
    target = DecimalField(_l("Target (on the chart's scale, e.g. 90 for 90 %)"), validators=[Optional()])


class FacilitatorForm(BaseForm):
    person = SelectField(_l("Facilitator"), coerce=int)


class RemoveFacilitatorForm(BaseForm):
    person = HiddenField()


class AddTeamForm(BaseForm):
    unit = SelectField(_l("Unit"), coerce=int)
    name = StringField(_l("Team name (the unit's name when empty)"), validators=[Optional(), Length(max=200)])


class SessionForm(BaseForm):
    date = DateField(_l("Date"), validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])

    # The network's first and last day, set by the view: a session lies within them.
    period: tuple[dt.date, dt.date] | None = None

    def validate_date(self, field):
        if self.period is None or field.data is None:
            return
        start, end = self.period
        if not start <= field.data <= end:
            raise ValidationError(
                _l(
                    "A learning session must lie within the network's period, %(start)s to %(end)s.",
                    start=start.strftime("%d.%m.%Y"),
                    end=end.strftime("%d.%m.%Y"),
                )
            )


class DefinitionForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(
        _l("Short name (for charts and tables)"), validators=[Optional(), Length(max=80)]
    )
    numerator = TextAreaField(_l("Numerator"), validators=[Optional(), Length(max=5000)])
    denominator = TextAreaField(_l("Denominator"), validators=[Optional(), Length(max=5000)])
    inclusions = TextAreaField(_l("Inclusions"), validators=[Optional(), Length(max=5000)])
    exclusions = TextAreaField(_l("Exclusions"), validators=[Optional(), Length(max=5000)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    unit_label = StringField(_l("Unit label"), validators=[Optional(), Length(max=60)])
    target = DecimalField(_l("Target (on the chart's scale, e.g. 90 for 90 %)"), validators=[Optional()])
    direction = SelectField(
        _l("Improvement direction"), choices=[SelectChoice(d, DIRECTION_NAMES[d]) for d in DIRECTIONS]
    )
    default_chart = SelectField(
        _l("Default chart"),
        choices=[SelectChoice("", _l("Chosen from the value kind"))]
        + [SelectChoice(k, k.upper()) for k in CHART_KINDS],
    )

    def values(self) -> dict:
        return {
            "name": self.name.data,
            "short_name": self.short_name.data or "",
            "numerator": self.numerator.data or "",
            "denominator": self.denominator.data or "",
            "inclusions": self.inclusions.data or "",
            "exclusions": self.exclusions.data or "",
            "notes": self.notes.data or "",
            "unit_label": self.unit_label.data or "",
            "target": self.target.data,
            "direction": self.direction.data,
            "default_chart": self.default_chart.data or None,
        }


NOTE_WARNING = _l(
    "The pack holds aggregated monthly counts only: never write names or anything else that could "
    "identify a resident or patient."
)


class _PackChoiceForm(BaseForm):
    """What goes in a learning-session pack; its fields are made per team and measure."""

    def __init__(self, *args, teams=(), measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.teams, self.measures = list(teams), list(measures)

    def team_fields(self):
        return [(t, self[f"team_{t.id}"], self[f"note_{t.id}"]) for t in self.teams]

    def measure_fields(self):
        return [(m, self[f"measure_{m.id}"], self[f"position_{m.id}"]) for m in self.measures]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not any(field.data for _, field, _ in self.team_fields()):
            self.form_errors.append(_l("Choose at least one team."))
            valid = False
        if not any(field.data for _, field, _ in self.measure_fields()):
            self.form_errors.append(_l("Choose at least one measure."))
            valid = False
        return valid

    def choice(self) -> PackChoice:
        """The teams ticked in their order; the measures ticked, by the position typed. A measure
        with none keeps its place in the list, after one typed at the same number; two typed alike
        keep their order in the list."""
        teams = [t for t, field, _ in self.team_fields() if field.data]
        ticked = [
            (k + 1, 1, k, m) if position.data is None else (position.data, 0, k, m)
            for k, (m, field, position) in enumerate(self.measure_fields())
            if field.data
        ]
        notes = tuple(
            (t.id, note.data)
            for t, field, note in self.team_fields()
            if field.data and (note.data or "").strip()
        )
        return PackChoice(
            tuple(t.id for t in teams), tuple(m.id for *_, m in sorted(ticked, key=lambda x: x[:3])), notes
        )


def pack_choice_form(teams, measures, choice: PackChoice | None = None, formdata=None) -> _PackChoiceForm:
    """The form for choosing a pack's teams, measures and their order, and a text per team; filled
    from ``choice`` when the form has not been sent."""

    class PackChoiceForm(_PackChoiceForm):
        pass

    for team in teams:
        setattr(PackChoiceForm, f"team_{team.id}", BooleanField(team.name))
        setattr(
            PackChoiceForm,
            f"note_{team.id}",
            TextAreaField(_l("What we learned"), validators=[Optional(), Length(max=3000)]),
        )
    for measure in measures:
        setattr(PackChoiceForm, f"measure_{measure.id}", BooleanField(measure.label))
        setattr(
            PackChoiceForm,
            f"position_{measure.id}",
            CountField(_l("Position"), validators=[Optional(), NumberRange(min=1, max=99)]),
        )
    if formdata is not None:
        return PackChoiceForm(formdata=formdata, teams=teams, measures=measures)
    form = PackChoiceForm(formdata=None, teams=teams, measures=measures)
    if choice is not None:
        notes = dict(choice.notes)
        for team, field, note in form.team_fields():
            field.data = team.id in choice.team_ids
            note.data = notes.get(team.id, "")
        order = {m: k for k, m in enumerate(choice.measure_ids)}
        for measure, field, position in form.measure_fields():
            field.data = measure.id in order
            position.data = order[measure.id] + 1 if measure.id in order else None
    return form
