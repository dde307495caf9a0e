from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectChoice, SelectField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from learnnet.accounts import PasswordPolicyError, check_password_policy
from learnnet.forms import BaseForm


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


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Your password now"), validators=[DataRequired(), Length(max=200)])


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class LanguageForm(BaseForm):
    language = SelectField(choices=[SelectChoice("nb", "Norsk bokmål"), SelectChoice("en", "English")])
    next = HiddenField()
