from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Length

from learnnet.forms import BaseForm, NewPasswordForm


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


class RemindersForm(BaseForm):
    reminders = BooleanField(
        _l("E-mail me when my team's numbers for a month are due, and when they are late")
    )
