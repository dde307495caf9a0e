"""The monthly entry form: one row of fields per measure, built for the network's measures."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from learnnet.forms import BaseForm, CountField, DecimalField
from learnnet.i18n import month_name
from learnnet.measurements.periods import parse_period
from learnnet.models import MeasureDefinition
from measures.choice import CHART_OPTIONS, DEFAULT_MIN_BASELINE

PATIENT_WARNING = _l("Never write names or anything else that could identify a resident or patient.")


class MeasureRow:
    """The fields of one measure in the entry form, found by the measure's id."""

    def __init__(self, form: BaseForm, measure: MeasureDefinition):
        self.measure = measure
        self.numerator = form[f"num_{measure.id}"] if measure.is_ratio else None
        self.denominator = form[f"den_{measure.id}"] if measure.is_ratio else None
        self.value = None if measure.is_ratio else form[f"val_{measure.id}"]
        self.comment = form[f"comment_{measure.id}"]
        self.version = form[f"version_{measure.id}"]

    @property
    def inputs(self) -> list[Field]:
        return [f for f in (self.numerator, self.denominator, self.value) if f is not None]

    @property
    def errors(self) -> list[str]:
        return [error for f in self.inputs + [self.comment] for error in f.errors]


@dataclass(frozen=True)
class EntryInput:
    """One number field of the entry page as it is drawn: plain values, no form machinery."""

    name: str
    label: str
    inputmode: str
    value: str
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntryRow:
    """One measure's fields on the entry page, as drawn: what is saved, or what was typed."""

    measure: MeasureDefinition
    inputs: tuple[EntryInput, ...]
    comment: str
    comment_errors: tuple[str, ...]
    version: str

    @property
    def errors(self) -> list[str]:
        return [error for f in self.inputs for error in f.errors] + list(self.comment_errors)

    def typed(self) -> str:
        """The numbers in the fields, as the user wrote them ("12 / 16", or "4,5")."""
        return " / ".join(f.value for f in self.inputs)


def _inputs(measure: MeasureDefinition) -> list[tuple[str, object, str]]:
    if measure.is_ratio:
        return [
            (f"num_{measure.id}", _l("Numerator"), "numeric"),
            (f"den_{measure.id}", _l("Denominator"), "numeric"),
        ]
    return [(f"val_{measure.id}", _l("Value"), "decimal")]


def saved_row(measure: MeasureDefinition, saved) -> EntryRow:
    """The row as saved (a deleted or missing month has empty fields), with the version to save from."""
    live = saved is not None and not saved.is_deleted
    if measure.is_ratio:
        values = [saved.numerator, saved.denominator] if live else [None, None]
        shown = ["" if v is None else str(v) for v in values]
    else:
        shown = ["" if not live or saved.value is None else str(saved.value).replace(".", ",")]
    return EntryRow(
        measure,
        tuple(
            EntryInput(name, str(label), mode, text)
            for (name, label, mode), text in zip(_inputs(measure), shown)
        ),
        saved.comment if live else "",
        (),
        str(saved.version if saved is not None else 0),
    )


def typed_row(row: MeasureRow) -> EntryRow:
    """The row as the user sent it, with each field's own errors."""
    return EntryRow(
        row.measure,
        tuple(
            EntryInput(name, str(label), mode, field._value(), tuple(field.errors))
            for (name, label, mode), field in zip(_inputs(row.measure), row.inputs)
        ),
        row.comment.data or "",
        tuple(row.comment.errors),
        row.version.data or "0",
    )


def entry_form(measures: list[MeasureDefinition], formdata=None) -> tuple[BaseForm, list[MeasureRow]]:
    """A form with fields for every measure, and the rows that group them."""

    class EntryForm(BaseForm):
        confirm = BooleanField(_l("I have checked the numbers: save them anyway"))
        use_saved = HiddenField()

    for measure in measures:
        if measure.is_ratio:
            setattr(EntryForm, f"num_{measure.id}", CountField(_l("Numerator")))
            setattr(EntryForm, f"den_{measure.id}", CountField(_l("Denominator")))
        else:
            setattr(EntryForm, f"val_{measure.id}", DecimalField(_l("Value")))
        setattr(
            EntryForm,
            f"comment_{measure.id}",
            TextAreaField(_l("Comment"), validators=[Optional(), Length(max=1000)]),
        )
        setattr(EntryForm, f"version_{measure.id}", HiddenField(default="0"))

    form = EntryForm(formdata=formdata) if formdata is not None else EntryForm()
    return form, [MeasureRow(form, measure) for measure in measures]


def _end_not_before_start(form, field) -> None:
    if field.data and form.start_date.data and field.data < form.start_date.data:
        raise ValidationError(_l("The end cannot be before the start."))


class _DatedForm(BaseForm):
    """A form with a start and an end date that lie within the network's period (a change tested in
    the network is drawn on its charts; a date outside it would be drawn nowhere)."""

    def __init__(self, *args, network=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network

    def _within_network(self, field) -> None:
        network = self.network
        if network is None or field.data is None or field.errors:
            return
        if not network.start_date <= field.data <= network.end_date:
            raise ValidationError(
                _l(
                    "Choose a date within the network's period, %(start)s – %(end)s.",
                    start=format_date(network.start_date, "long"),
                    end=format_date(network.end_date, "long"),
                )
            )

    def validate_start_date(self, field) -> None:
        self._within_network(field)

    def validate_end_date(self, field) -> None:
        self._within_network(field)


# Required text fields use DataRequired: BaseForm strips the text first, so a value of only
# spaces counts as empty (InputRequired looks at the raw value and lets it through).
class InterventionForm(_DatedForm):
    title = StringField(
        _l("Change idea"),
        validators=[DataRequired(_l("Give the change idea a name.")), Length(max=200)],
    )
    short_label = StringField(
        _l("Short label on the charts"),
        validators=[Optional(), Length(max=25, message=_l("At most 25 characters."))],
        description=_l("A few words drawn beside the marker, such as: Weighing on Mondays."),
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    start_date = DateField(_l("Started"), validators=[InputRequired(_l("Give the date the change started."))])
    end_date = DateField(_l("Ended"), validators=[Optional(), _end_not_before_start])


class PdsaForm(_DatedForm):
    plan = TextAreaField(
        _l("Plan"),
        validators=[Optional(), Length(max=4000)],
        description=_l("What will you test, who, where and when? What do you predict?"),
    )
    do = TextAreaField(
        _l("Do"),
        validators=[Optional(), Length(max=4000)],
        description=_l("What happened when you carried it out?"),
    )
    study = TextAreaField(
        _l("Study"),
        validators=[Optional(), Length(max=4000)],
        description=_l("What did you learn? How did it compare with the prediction?"),
    )
    act = TextAreaField(
        _l("Act"), validators=[Optional(), Length(max=4000)], description=_l("What will you do next?")
    )
    start_date = DateField(_l("Started"), validators=[InputRequired(_l("Give the date the cycle started."))])
    end_date = DateField(_l("Ended"), validators=[Optional(), _end_not_before_start])
    outcome = SelectField(
        _l("Outcome"),
        choices=[
            SelectChoice("", _l("Not decided yet")),
            SelectChoice("adopt", _l("Adopt")),
            SelectChoice("adapt", _l("Adapt")),
            SelectChoice("abandon", _l("Abandon")),
        ],
        validators=[Optional()],
    )


CHART_KIND_LABELS = {
    "run": _l("Run chart"),
    "p": _l("P chart (proportion)"),
    "pp": _l("P′ chart (Laney, large denominators)"),
    "u": _l("U chart (rate)"),
    "up": _l("U′ chart (Laney, large denominators)"),
    "c": _l("C chart (count)"),
    "i": _l("I chart (individual values)"),
    "t": _l("T chart (time between events)"),
    "g": _l("G chart (cases between events)"),
    "xbar": _l("X̄ chart (subgroup means)"),
}


def _month_choices(periods, blank_label):
    return [SelectChoice("", blank_label)] + [
        SelectChoice(p.strftime("%Y-%m"), month_name(p)) for p in periods
    ]


class ChartKindForm(BaseForm):
    chart_kind = SelectField(_l("Chart"), validators=[Optional()])
    freeze_period = SelectField(_l("Baseline ends with"), validators=[Optional()])

    def __init__(self, value_kind: str, periods, filled=(), *args, **kwargs):
        """``filled``: the months that have numbers."""
        super().__init__(*args, **kwargs)
        self.filled = list(filled)
        self.chart_kind.choices = [SelectChoice("", _l("Automatic (recommended)"))] + [
            SelectChoice(kind, CHART_KIND_LABELS[kind]) for kind in CHART_OPTIONS[value_kind]
        ]
        self.freeze_period.choices = _month_choices(periods, _l("No frozen baseline"))

    def validate_freeze_period(self, field) -> None:
        # Fewer months would fix a centre line (and limits) on too little to go by, and the chart
        # would say it gets control limits once the baseline is long enough, which it never is.
        end = parse_period(field.data)
        if end is None or field.errors:
            return
        count = sum(1 for period in self.filled if period <= end)
        if count < DEFAULT_MIN_BASELINE:
            raise ValidationError(
                _l(
                    "A frozen baseline needs at least %(needed)d months with numbers; up to and "
                    "including %(month)s there are %(count)d.",
                    needed=DEFAULT_MIN_BASELINE,
                    month=month_name(end),
                    count=count,
                )
            )


class PhaseForm(BaseForm):
    start_period = SelectField(
        _l("New phase from"), validators=[DataRequired(_l("Choose the month the phase starts."))]
    )
    label = StringField(_l("Label"), validators=[DataRequired(_l("Give the phase a label.")), Length(max=60)])

    def __init__(self, periods, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_period.choices = _month_choices(periods[1:], _l("Choose a month"))


class ExclusionForm(BaseForm):
    # DataRequired, as for text: "Choose a month" is a choice with an empty value, and a value of
    # only spaces (stripped) must not pass as a month either.
    period = SelectField(_l("Leave out"), validators=[DataRequired(_l("Choose the month to leave out."))])
    reason = StringField(
        _l("Reason"), validators=[DataRequired(_l("Say why the month is left out.")), Length(max=300)]
    )

    def __init__(self, periods, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.period.choices = _month_choices(periods, _l("Choose a month"))
