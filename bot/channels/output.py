"""Puts every channel's outgoing messages through the renderer.

Rasa's REST channel builds its output collector inside its request handler, so
the only hook common to every channel is the message on its way in: its output
channel is wrapped here, and whatever the bot then sends is rendered first."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.channels.render import render_message

Handler = Callable[[UserMessage], Awaitable[Any]]


class RenderedOutput(OutputChannel):
    """Renders each message in the channel's style, then hands it to the real channel."""

    def __init__(self, inner: OutputChannel, style: str) -> None:
        self.inner = inner
        self.style = style

    def name(self) -> str:  # type: ignore[override]  # responses are chosen per real channel
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        await self.inner.send_response(recipient_id, render_message(message, self.style))

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)


def rendering(on_new_message: Handler, style: str) -> Handler:
    async def handle(message: UserMessage) -> Any:
        if not isinstance(message.output_channel, RenderedOutput):
            message.output_channel = RenderedOutput(message.output_channel, style)
        return await on_new_message(message)

    return handle
