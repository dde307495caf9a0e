"""The form base every learnnet form builds on, and the fields and forms several features share."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, PasswordField, ValidationError
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import TextInput

from learnnet.accounts import PasswordPolicyError, check_password_policy


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """Strips surrounding whitespace from every text field before validation."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            filters.append(_strip)
            return unbound_field.bind(form=form, filters=filters, **options)


class CountField(Field):
    """A whole number of 0 or more, typed on a numeric keypad."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}
        render_kw.update(kwargs.pop("render_kw", {}) or {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        raw = valuelist[0].strip().replace(" ", "").replace("\u00a0", "")
        if not raw:
            return
        if raw.startswith("-") and raw[1:].isdigit():
            raise ValueError(_l("The count cannot be negative."))
        if not raw.isdigit():
            raise ValueError(_l("Enter a whole number, such as 12."))
        if len(raw) > 9:
            raise ValueError(_l("The number is too large."))
        self.data = int(raw)


class DecimalField(Field):
    """A number that may have decimals, with a comma or a point."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off"}
        render_kw.update(kwargs.pop("render_kw", {}) or {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data).replace(".", ",")

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        raw = valuelist[0].strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
        if not raw:
            return
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(_l("Enter a number, such as 4,5.")) from None
        if value != value or value in (float("inf"), float("-inf")) or abs(value) > 1e9:
            raise ValueError(_l("Enter a number, such as 4,5."))
        self.data = value


def password_policy(form, field) -> None:
    """The minimum password policy (learnnet.accounts), in the user's language."""
    try:
        check_password_policy(field.data or "")
    except PasswordPolicyError as error:
        raise ValidationError(error.label) from None


class NewPasswordForm(BaseForm):
    """A new password, typed twice."""

    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=200), password_policy]
    )
    repeat = PasswordField(
        _l("The new password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))],
    )
