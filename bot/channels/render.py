"""The one place where an answer takes each channel's form.

Actions write one text for every channel: plain sentences, single line
breaks, and links as `[label](https://...)` (bare https URLs are allowed too).
Each output channel passes what it sends through `render_message` with its
style, so a citation is a working link everywhere:

- plain (REST, the Rasa shell): `label: https://...`, the full URL on screen;
- web (the socket.io widget): the markdown as written; the widget builds the
  link element itself and never inserts HTML;
- slack (mrkdwn): `<https://...|label>`, with &, < and > escaped;
- telegram (HTML parse mode): `<a href="...">label</a>`, escaped, and split
  into messages within Telegram's 4,096-character limit.
"""

from __future__ import annotations

import html
import re
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

# A label without brackets or line breaks, then an http(s) URL without spaces or parentheses.
LINK = re.compile(r"\[([^\[\]\n]+)\]\((https?://[^\s()]+)\)")
TELEGRAM_LIMIT = 4096


def _pieces(text: str) -> Iterator[Tuple[str, Optional[str]]]:
    """(text, None) for plain text and (label, url) for a link, in order."""
    position = 0
    for match in LINK.finditer(text):
        if match.start() > position:
            yield text[position : match.start()], None
        yield match.group(1), match.group(2)
        position = match.end()
    if position < len(text):
        yield text[position:], None


def _render(text: str, on_text: Callable[[str], str], on_link: Callable[[str, str], str]) -> str:
    return "".join(on_text(chunk) if url is None else on_link(chunk, url) for chunk, url in _pieces(text))


def plain(text: str) -> str:
    return _render(text, lambda t: t, lambda label, url: f"{label}: {url}")


def web(text: str) -> str:
    return text


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(text: str) -> str:
    return _render(text, _slack_escape, lambda label, url: f"<{url}|{_slack_escape(label).replace('|', '/')}>")


def telegram(text: str) -> str:
    return _render(
        text,
        lambda t: html.escape(t, quote=False),
        lambda label, url: f'<a href="{html.escape(url)}">{html.escape(label, quote=False)}</a>',
    )


def telegram_parts(text: str, limit: int = TELEGRAM_LIMIT) -> List[str]:
    """The text in Telegram's HTML form, cut at line (else word) boundaries
    into messages of at most `limit` characters, tags included, so that no
    part is refused and no link is cut in two."""
    parts: List[str] = []
    current = ""
    for unit in _units(text, limit):
        joined = f"{current}\n{unit}" if current else unit
        if len(joined) <= limit:
            current = joined
        else:
            parts.append(current)
            current = unit
    if current:
        parts.append(current)
    return parts


def _units(text: str, limit: int) -> Iterator[str]:
    """Rendered lines; a line too long on its own comes as rendered words,
    and a word too long on its own is cut."""
    for line in text.split("\n"):
        rendered = telegram(line)
        if len(rendered) <= limit:
            yield rendered
            continue
        words: List[str] = []
        for word in re.split(r"(?<=\s)", line):  # keeps links (no spaces inside) whole
            piece = telegram(word)
            while len(piece) > limit:
                yield piece[:limit]
                piece = piece[limit:]
            if len("".join(words)) + len(piece) > limit:
                yield "".join(words)
                words = []
            words.append(piece)
        if words:
            yield "".join(words)


STYLES: Dict[str, Callable[[str], str]] = {"plain": plain, "web": web, "slack": slack, "telegram": telegram}


def render_message(message: Dict[str, Any], style: str) -> Dict[str, Any]:
    """A copy of a bot message (Rasa's dict: text, buttons, ...) with its text in
    the channel's form. Telegram's text is split later, by `telegram_parts`."""
    text = message.get("text")
    if not isinstance(text, str) or style == "telegram":
        return dict(message)
    return {**message, "text": STYLES[style](text)}
