"""bot/settings.py is the one list of what the project reads from the
environment: the channels take their secrets from it (so credentials.yml holds
no `${VARIABLE}` that would stop a plain `rasa run`), a value written in
credentials.yml still wins, and the README names every variable."""

from __future__ import annotations

import re

from bot import settings
from bot.channels.slack import SlackChannel
from bot.channels.socketio import WebChatInput
from bot.channels.telegram import TelegramChannel
from bot.dashboard.routes import CuratorDashboard
from bot.paths import CREDENTIALS, PROJECT


def test_credentials_yml_needs_no_environment_variable():
    assert not re.search(r"\$\{\w+\}", CREDENTIALS.read_text()), "name the variable in bot/settings.py instead"


def test_an_unset_option_comes_from_its_variable_and_a_written_one_wins():
    environ = {"SLACK_TOKEN": "from-env", "SLACK_SIGNING_SECRET": "secret-from-env"}
    options = settings.channel_credentials("slack", {"slack_token": "written"}, environ)
    assert options["slack_token"] == "written"
    assert options["slack_signing_secret"] == "secret-from-env"
    assert options["events_redis_url"] == ""


def test_every_channel_reads_its_settings_under_its_own_name(monkeypatch):
    monkeypatch.setenv("CRMO_WEB_ORIGINS", "https://crmo.example.org")
    monkeypatch.setenv("SLACK_TOKEN", "xoxb-from-env")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret-from-env")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9/")
    assert WebChatInput.from_credentials(None).allowed_origins == ["https://crmo.example.org"]
    assert SlackChannel.from_credentials(None).slack_token == "xoxb-from-env"
    assert TelegramChannel.from_credentials(None).api_url == "http://127.0.0.1:9"
    monkeypatch.setenv("CRMO_CURATOR_TOKEN", "curator-token-from-env")
    assert CuratorDashboard.from_credentials(None).token == "curator-token-from-env"
    channels = (WebChatInput, SlackChannel, TelegramChannel, CuratorDashboard)
    assert {channel.name() for channel in channels} == set(settings.CHANNEL_SETTINGS)


def test_the_readme_names_every_variable():
    readme = (PROJECT / "README.md").read_text()
    variables = [v for options in settings.CHANNEL_SETTINGS.values() for v in options.values()]
    variables += [
        settings.API_TOKEN,
        settings.LANGUAGE,
        settings.RETENTION_DAYS,
        settings.TEAM_DB_URL,
        *settings.PROD_VARIABLES,
    ]
    missing = [v for v in variables if v not in readme and f"{v.split('_')[0]}_*" not in readme]
    assert not missing, f"say in the README's settings table what these do: {missing}"
