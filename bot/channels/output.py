"""Every channel's message handler goes through `handled`: it renders what the
bot sends in the channel's style, and answers with an apology when a message
could not be processed at all.

Rasa's REST channel builds its output collector inside its request handler, so
the only hook common to every channel is the message on its way in: its output
channel is wrapped here, and whatever the bot then sends is rendered first.

When the conversation store or the lock store cannot be reached, Rasa raises
before anything is sent; the REST channel then returns an empty list, the
others nothing. Here the user is told that the message did not get through."""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot import settings
from bot.channels.render import render_message
from bot.knowledge import LANGUAGES, knowledge, turn_language

logger = logging.getLogger(__name__)
Handler = Callable[[UserMessage], Awaitable[Any]]


class RenderedOutput(OutputChannel):
    """Renders each message in the channel's style, then hands it to the real channel."""

    def __init__(self, inner: OutputChannel, style: str) -> None:
        self.inner = inner
        self.style = style

    def name(self) -> str:  # responses are chosen per real channel
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        await self.inner.send_response(recipient_id, render_message(message, self.style))

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)


def apology(message_key: str, language: str = LANGUAGES[0]) -> Dict[str, Any]:
    """A bot message for a part of the service that failed, in the
    conversation's language: the reason, then the consult urge."""
    messages = knowledge(language).messages
    return {"text": f"{messages[message_key]}\n{messages['consult']}"}


def channel_language(metadata: Any) -> str:
    """The language of a message that could not be processed (no NLU ran): its
    channel's (the widget's page, Telegram's user language, REST metadata), else
    the deployment's (CRMO_LANGUAGE)."""
    asked = metadata.get("language") if isinstance(metadata, dict) else None
    return turn_language((), asked, None, settings.default_language())


def handled(on_new_message: Handler, style: str) -> Handler:
    async def handle(message: UserMessage) -> Any:
        if not isinstance(message.output_channel, RenderedOutput):
            message.output_channel = RenderedOutput(message.output_channel, style)
        try:
            return await on_new_message(message)
        except Exception as error:
            # No message text here: logs must not hold what families write.
            logger.error("A %s message was not processed: %s: %s", style, type(error).__name__, error)
            language = channel_language(message.metadata)
            await message.output_channel.send_response(message.sender_id, apology("message_not_processed", language))

    return handle
