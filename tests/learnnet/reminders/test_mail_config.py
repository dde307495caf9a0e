"""The e-mail settings come from the environment, as the README's table says."""

import pytest

from learnnet.config import ConfigError, from_environment


def test_mail_settings_are_read_from_the_environment(tmp_path):
    config = from_environment(
        str(tmp_path),
        {
            "MAIL_SERVER": "smtp.example.no",
            "MAIL_PORT": "587",
            "MAIL_USERNAME": "learnnet",
            "MAIL_PASSWORD": "s3cret",
            "MAIL_USE_TLS": "true",
            "MAIL_DEFAULT_SENDER": "learnnet <noreply@example.no>",
            "LEARNNET_PUBLIC_URL": "https://learnnet.example.no/",
        },
    )
    assert (config["MAIL_SERVER"], config["MAIL_PORT"]) == ("smtp.example.no", 587)
    assert (config["MAIL_USERNAME"], config["MAIL_PASSWORD"]) == ("learnnet", "s3cret")
    assert config["MAIL_USE_TLS"] is True
    assert config["MAIL_DEFAULT_SENDER"] == "learnnet <noreply@example.no>"
    assert config["PUBLIC_URL"] == "https://learnnet.example.no"


def test_mail_defaults_to_the_local_server_without_login(tmp_path):
    config = from_environment(str(tmp_path), {})
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USE_TLS"]) == ("localhost", 25, False)
    assert config["MAIL_USERNAME"] is None and config["MAIL_PASSWORD"] is None


@pytest.mark.parametrize(("name", "value"), [("MAIL_USE_TLS", "maybe"), ("MAIL_PORT", "smtp")])
def test_a_wrong_mail_setting_is_refused(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        from_environment(str(tmp_path), {name: value})
