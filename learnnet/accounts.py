"""Account rules shared by the CLI and the forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MIN_PASSWORD_LENGTH = 10

# What each role is called on the pages, from most to least power (learnnet.models.ROLES).
ROLE_LABELS = {
    "admin": _l("Administrator"),
    "centre": _l("Centre"),
    "facilitator": _l("Facilitator"),
    "team_member": _l("Team member"),
    "viewer": _l("Viewer"),
}


class PasswordPolicyError(ValueError):
    """A password that does not meet the minimum policy; ``kind`` is "short" or "simple"."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind

    @property
    def label(self) -> str:
        """The reason in the user's language, for a form."""
        if self.kind == "short":
            return str(_l("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH))
        return str(_l("This password is too simple: use a few words or mixed characters."))


def check_password_policy(password: str) -> None:
    """At least ten characters, not all the same character, and not only digits."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            "short", f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
        )
    if len(set(password)) < 4 or password.isdigit():
        raise PasswordPolicyError("simple", "the password is too simple; use a few words or mixed characters")
