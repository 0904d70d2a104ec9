"""Every setting the project reads from the environment, with its default: the
one list an operator needs (the README's table mirrors it, a test checks).

The channels read their secrets here rather than through `${VARIABLES}` in
credentials.yml: Rasa stops at start-up on an unset `${VARIABLE}`, so a plain
`rasa run` in the project folder failed unless every channel was configured.
Now an unset secret leaves its channel off (its webhook answers 503), whichever
way the server was started. A value written into credentials.yml still wins."""

from __future__ import annotations

import os
from typing import Any, Dict, Mapping, Optional

from bot.knowledge import LANGUAGES

# The curators' dashboard's login token (`make run` makes one when unset).
CURATOR_TOKEN = "CRMO_CURATOR_TOKEN"
# Sites allowed to embed the widget; unset: the server's own origin (`make run`: the demo page's).
WEB_ORIGINS = "CRMO_WEB_ORIGINS"
# the channel's name in credentials.yml (its class's `name()`) -> option -> variable
CHANNEL_SETTINGS: Dict[str, Dict[str, str]] = {
    "socketio": {"cors_allowed_origins": WEB_ORIGINS, "jwt_key": "CRMO_WEB_JWT_KEY"},
    "slack": {
        "slack_token": "SLACK_TOKEN",
        "slack_signing_secret": "SLACK_SIGNING_SECRET",
        "api_url": "SLACK_API_URL",
        "events_redis_url": "SLACK_EVENTS_REDIS_URL",
    },
    "telegram": {
        "access_token": "TELEGRAM_TOKEN",
        "verify": "TELEGRAM_VERIFY",
        "webhook_url": "TELEGRAM_WEBHOOK_URL",
        "secret_token": "TELEGRAM_SECRET_TOKEN",
        "api_url": "TELEGRAM_API_URL",
    },
    # The curators' dashboard (bot/dashboard): its login; unset, it is off.
    "dashboard": {"token": CURATOR_TOKEN},
}
# Rasa's HTTP API (conversations, model): off unless set, then every call needs it.
API_TOKEN = "CRMO_API_TOKEN"
# The language a conversation is answered in until one of its messages or its
# channel says (`make shell LANGUAGE=de` sets it): en (default) or de.
LANGUAGE = "CRMO_LANGUAGE"
# How long conversations are kept by `python -m bot forget`, in days.
RETENTION_DAYS = "CRMO_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 30
# Where "Ask the team" questions are kept (an SQLAlchemy URL); unset: the
# production database when DB_HOST is set, else var/team-questions.sqlite3.
TEAM_DB_URL = "CRMO_TEAM_DB_URL"
# The production profile's stores and action server (endpoints.prod.yml reads them).
PROD_VARIABLES = (
    "DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD",
    "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "REDIS_DB", "ACTION_SERVER_URL",
)  # fmt: skip


def channel_credentials(
    channel: str, written: Optional[Mapping[str, Any]], environ: Mapping[str, str] = os.environ
) -> Dict[str, Any]:
    """credentials.yml's options for `channel`, each unset one taken from its variable."""
    options = dict(written or {})
    for option, variable in CHANNEL_SETTINGS.get(channel, {}).items():
        if options.get(option) in (None, ""):
            options[option] = environ.get(variable, "")
    return options


def default_language(environ: Mapping[str, str] = os.environ) -> str:
    """CRMO_LANGUAGE, else English. Read by the action server for a turn whose
    message, channel and conversation do not say which language it is in (the
    terminal's `rasa shell` sends no language of its own)."""
    language = environ.get(LANGUAGE, "").strip().lower() or LANGUAGES[0]
    if language not in LANGUAGES:
        raise ValueError(f"{LANGUAGE} must be one of {', '.join(LANGUAGES)} (got {language!r})")
    return language


def retention_days(days: Optional[int] = None, environ: Mapping[str, str] = os.environ) -> int:
    """`days` if given, else CRMO_RETENTION_DAYS, else 30; a whole number of at
    least one day. Here, free of Rasa, because the action server tells families
    the period too."""
    raw = str(days) if days is not None else environ.get(RETENTION_DAYS, "").strip() or str(DEFAULT_RETENTION_DAYS)
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"retention must be a whole number of days, at least 1 (got {raw!r})")
    return int(raw)
