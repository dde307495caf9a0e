"""Account rules shared by the CLI and the forms."""

from __future__ import annotations

MIN_PASSWORD_LENGTH = 10


class PasswordPolicyError(ValueError):
    """A password that does not meet the minimum policy."""


def check_password_policy(password: str) -> None:
    """At least ten characters, not all the same character, and not only digits."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(set(password)) < 4 or password.isdigit():
        raise PasswordPolicyError("the password is too simple; use a few words or mixed characters")
