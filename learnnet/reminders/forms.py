from __future__ import annotations

from wtforms import HiddenField
from wtforms.validators import DataRequired

from learnnet.forms import BaseForm


class SendReminderForm(BaseForm):
    """A reminder sent by hand: the month, as "2026-03"."""

    period = HiddenField(validators=[DataRequired()])
