"""The README tells the truth about the demo logins."""

from pathlib import Path

from learnnet.demo import DEMO_USERS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_demo_login_is_in_the_readme():
    for user in DEMO_USERS:
        assert f"`{user.email}` | `{user.password}`" in README, user.email
