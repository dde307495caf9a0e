"""The upload form and the form that confirms a previewed import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField

from learnnet.forms import BaseForm


class UploadForm(BaseForm):
    file = FileField(
        _l("File (CSV or XLSX)"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["csv", "txt", "xlsx"], _l("Upload a CSV or XLSX file.")),
        ],
        render_kw={"accept": ".csv,.txt,.xlsx"},
    )


class ConfirmForm(BaseForm):
    key = HiddenField()
    accept_warnings = BooleanField(_l("I have checked the rows with warnings; import them as they are."))
