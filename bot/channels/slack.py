"""Rasa's Slack channel, configured from the environment (credentials.yml), with
its replies in Slack's own markup and three changes:

- the Web API address is configurable (`api_url`), so the tests can point it
  at a stand-in on loopback; it defaults to Slack's;
- an event Slack sends again (`X-Slack-Retry-Num`, for any reason) is answered
  once: events are remembered by their `event_id`, in this process, or in
  Redis (`events_redis_url`) where several Rasa servers share the webhook;
- without a token and signing secret the channel is off: its webhook answers
  503 instead of the server refusing to start.

Answers with buttons go out as a mrkdwn section (Rasa sends plain_text, which
shows `<url|label>` links as raw text) followed by the buttons."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Union

from rasa.core.channels.channel import OutputChannel
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.disabled import off_blueprint
from bot.channels.output import Handler, handled
from bot.settings import channel_credentials

logger = logging.getLogger(__name__)
SLACK_API = "https://slack.com/api/"
MAX_BUTTONS = 5  # Slack's limit for one actions block
MAX_SECTION_TEXT = 3000  # Slack's limit for a section's text
REMEMBERED_EVENTS = 10_000
EVENT_MEMORY_SECONDS = 3600.0  # Slack gives up retrying within the hour


class SlackOutput(SlackBot):
    def __init__(
        self,
        token: str,
        slack_channel: Optional[str] = None,
        thread_id: Optional[str] = None,
        proxy: Optional[str] = None,
        api_url: str = SLACK_API,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        recipient = self.slack_channel or recipient_id
        if len(text) > MAX_SECTION_TEXT or len(buttons) > MAX_BUTTONS:
            await self.send_text_message(recipient, text)
            if len(buttons) > MAX_BUTTONS:
                return
            text = "Related topics:"
        elements = [
            {"type": "button", "text": {"type": "plain_text", "text": b["title"][:75]}, "value": b["payload"]}
            for b in buttons
        ]
        section = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
        blocks = [section, {"type": "actions", "elements": elements}]
        await self._post_message(channel=recipient, as_user=True, text=text, blocks=blocks)


class EventMemory:
    """The event ids seen in the last hour, oldest first."""

    def __init__(self) -> None:
        self.seen: OrderedDict[str, float] = OrderedDict()

    def _oldest(self) -> float:
        return next(iter(self.seen.values()))

    def first_time(self, event_id: str) -> bool:
        now = time.monotonic()
        while self.seen and (len(self.seen) >= REMEMBERED_EVENTS or self._oldest() < now - EVENT_MEMORY_SECONDS):
            self.seen.popitem(last=False)
        if event_id in self.seen:
            return False
        self.seen[event_id] = now
        return True


class RedisEventMemory:
    """The event ids seen in the last hour by any of the servers."""

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=5)

    def first_time(self, event_id: str) -> bool:
        key = f"crmo:slack-event:{event_id}"
        return bool(self.client.set(key, 1, nx=True, ex=int(EVENT_MEMORY_SECONDS)))


class SlackChannel(SlackInput):
    """Registered as `slack`: POST /webhooks/slack/webhook."""

    api_url: str = SLACK_API

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> SlackChannel:
        credentials = channel_credentials(cls.name(), credentials)
        channel = cls(
            slack_token=credentials.get("slack_token") or "",
            slack_channel=credentials.get("slack_channel") or None,
            slack_retry_reason_header="x-slack-retry-reason",
            slack_retry_number_header="x-slack-retry-num",
            use_threads=bool(credentials.get("use_threads", False)),
            slack_signing_secret=credentials.get("slack_signing_secret") or "",
            conversation_granularity=credentials.get("conversation_granularity", "sender"),
        )
        channel.api_url = credentials.get("api_url") or SLACK_API
        if credentials.get("events_redis_url"):
            channel.events = RedisEventMemory(credentials["events_redis_url"])
        return channel

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.events: Union[EventMemory, RedisEventMemory] = EventMemory()
        super().__init__(*args, **kwargs)

    @property
    def configured(self) -> bool:
        return bool(self.slack_token)

    def _validate_credentials(self) -> None:
        if self.configured:  # a token without a signing secret is refused by Rasa
            super()._validate_credentials()

    def get_output_channel(self, channel: Optional[str] = None, thread_id: Optional[str] = None) -> OutputChannel:
        return SlackOutput(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url)

    async def process_message(
        self, request: Request, on_new_message: Handler, text: str, sender_id: Optional[str], metadata: Optional[Dict]
    ) -> Any:
        event_id = _event_id(request)
        if event_id and not self.events.first_time(event_id):
            logger.info("Slack sent event %s again; it was answered already.", event_id)
            return response.text("", headers={"X-Slack-No-Retry": "1"})
        return await super().process_message(request, on_new_message, text, sender_id, metadata)

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        if not self.configured:
            return off_blueprint("slack_webhook", "Slack")
        return super().blueprint(handled(on_new_message, "slack"))


def _event_id(request: Request) -> Optional[str]:
    """Events API deliveries carry an `event_id`; button clicks have none and are never retried."""
    if request.headers.get("content-type") != "application/json":
        return None
    body = request.json
    return body.get("event_id") if isinstance(body, dict) else None
