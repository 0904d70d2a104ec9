"""Rasa's Telegram channel, configured from the environment (credentials.yml), with:

- the Bot API address configurable (`api_url`), so the tests can point it at a
  stand-in on loopback; it defaults to Telegram's;
- `/start`, the first thing every Telegram user sends, answered as a greeting;
- the user's Telegram language (`language_code`) passed on with every message
  as the `language` the assistant answers in where a message does not say;
- replies in Telegram's HTML markup, split within its 4,096-character limit,
  buttons as an inline keyboard (a press sends the button's payload back);
- an optional `secret_token`: given to Telegram with the webhook, and then
  required on every update, since Rasa's own check (the bot's public user
  name) does not tell Telegram from anyone else;
- without a token the channel is off: its webhook answers 503 instead of the
  server failing to start while it registers the webhook with Telegram."""

from __future__ import annotations

import hmac
import logging
import re
from http import HTTPStatus
from typing import Any, Dict, List, Optional

from aiogram.bot.api import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.disabled import off_blueprint
from bot.channels.output import Handler, handled
from bot.channels.render import telegram_parts
from bot.settings import channel_credentials

logger = logging.getLogger(__name__)
TELEGRAM_API = "https://api.telegram.org"
START = re.compile(r"/start(@\w+)?(\s.*)?", re.DOTALL)
GREETING = "/greet"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramReplies(TelegramOutput):
    def __init__(self, access_token: Optional[str], api_url: str = TELEGRAM_API) -> None:
        super(TelegramOutput, self).__init__(access_token, server=TelegramAPIServer.from_base(api_url))

    async def _send_parts(self, recipient_id: str, text: str, markup: Optional[InlineKeyboardMarkup] = None) -> None:
        parts = telegram_parts(text)
        for number, part in enumerate(parts, start=1):
            await self.send_message(
                recipient_id,
                part,
                parse_mode="HTML",
                disable_web_page_preview=True,
                reply_markup=markup if number == len(parts) else None,
            )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_parts(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        keyboard = InlineKeyboardMarkup(row_width=1)
        keyboard.add(*(InlineKeyboardButton(b["title"], callback_data=b["payload"]) for b in buttons))
        await self._send_parts(recipient_id, text, keyboard)

    async def register_webhook(self, url: str, secret_token: Optional[str]) -> bool:
        payload = {"url": url, **({"secret_token": secret_token} if secret_token else {})}
        return bool(await self.request("setWebhook", payload))


def start_as_greeting(on_new_message: Handler) -> Handler:
    async def handle(message: UserMessage) -> Any:
        if message.text and START.fullmatch(message.text.strip()):
            message.text = GREETING
        return await on_new_message(message)

    return handle


class TelegramChannel(TelegramInput):
    """Registered as `telegram`: POST /webhooks/telegram/webhook."""

    api_url: str = TELEGRAM_API
    secret_token: Optional[str] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> TelegramChannel:
        credentials = channel_credentials(cls.name(), credentials)
        channel = cls(
            credentials.get("access_token") or None,
            credentials.get("verify") or None,
            credentials.get("webhook_url") or None,
        )
        channel.api_url = (credentials.get("api_url") or TELEGRAM_API).rstrip("/")
        channel.secret_token = credentials.get("secret_token") or None
        return channel

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        """The sender's `language_code` (set in their Telegram app), from a
        message, an edited one or a button press."""
        update = request.json if isinstance(request.json, dict) else {}
        for kind in ("message", "edited_message", "callback_query"):
            sender = (update.get(kind) or {}).get("from") or {}
            if sender.get("language_code"):
                return {"language": str(sender["language_code"])}
        return None

    def get_output_channel(self) -> TelegramReplies:
        return TelegramReplies(self.access_token, self.api_url)

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        if not self.access_token:
            return off_blueprint("telegram_webhook", "Telegram")
        blueprint = super().blueprint(handled(start_as_greeting(on_new_message), "telegram"))

        @blueprint.middleware("request")
        async def check_secret(request: Request) -> Optional[HTTPResponse]:
            if self.secret_token and request.method == "POST" and request.path.endswith("/webhook"):
                given = request.headers.get(SECRET_HEADER, "")
                if not hmac.compare_digest(given.encode(), self.secret_token.encode()):
                    return response.text("Forbidden", status=HTTPStatus.FORBIDDEN)
            return None

        @blueprint.listener("after_server_start")
        async def register(*_: Any) -> None:
            if not self.webhook_url:
                return
            replies = self.get_output_channel()
            try:
                await replies.register_webhook(self.webhook_url, self.secret_token)
            except Exception as error:  # the other channels keep working
                logger.error("Could not register the Telegram webhook %s: %s", self.webhook_url, error)
            finally:
                await replies.close()

        return blueprint
