"""The Telegram channel against the live server: updates posted to its webhook
as Telegram posts them, replies read at the stand-in of the Bot API."""

from __future__ import annotations

import json
import random
import time
from typing import Dict, Optional

import pytest

from bot.channels.render import TELEGRAM_LIMIT
from bot.knowledge import knowledge
from tests.conftest import TELEGRAM_SECRET, post

KB = knowledge()

update_ids = iter(range(10_000, 1_000_000))


def text_update(chat: int, text: str, language_code: Optional[str] = None) -> dict:
    sender = {"id": chat, "is_bot": False, "first_name": "Parent"}
    if language_code:
        sender["language_code"] = language_code
    message = {"message_id": next(update_ids), "date": int(time.time()), "chat": {"id": chat, "type": "private"}}
    return {"update_id": next(update_ids), "message": {**message, "from": sender, "text": text}}


def button_update(chat: int, data: str, language_code: Optional[str] = None) -> dict:
    sender = {"id": chat, "is_bot": False, "first_name": "Parent"}
    if language_code:
        sender["language_code"] = language_code
    message = {"message_id": next(update_ids), "date": int(time.time()), "chat": {"id": chat, "type": "private"}}
    query = {"id": str(next(update_ids)), "from": sender, "message": message, "chat_instance": "1", "data": data}
    return {"update_id": next(update_ids), "callback_query": query}


@pytest.fixture
def telegram(live_bot, telegram_api):
    rasa, _ = live_bot
    url = f"{rasa.url}/webhooks/telegram/webhook"

    def send(update: dict, secret: Optional[str] = TELEGRAM_SECRET) -> tuple:
        headers: Dict[str, str] = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return post(url, json.dumps(update).encode(), headers)

    return send


def sent_to(telegram_api, chat: int) -> list:
    return [c.body for c in telegram_api.calls_to("sendMessage") if str(c.body.get("chat_id")) == str(chat)]


def new_chat() -> int:
    return random.randint(10**8, 10**9)


def test_the_webhook_is_registered_with_its_secret(live_bot, telegram_api):
    registration = telegram_api.wait_for("setWebhook", 1)[0].body
    assert registration["url"] == "https://crmo.example.org/webhooks/telegram/webhook"
    assert registration["secret_token"] == TELEGRAM_SECRET


def test_start_is_answered_as_a_greeting(telegram, telegram_api):
    chat = new_chat()
    assert telegram(text_update(chat, "/start")) == (200, "success")
    replies = sent_to(telegram_api, chat)
    assert replies and "not a doctor" in " ".join(r["text"] for r in replies).lower()


def test_a_question_gets_a_linked_cited_answer_with_a_keyboard(telegram, telegram_api):
    chat = new_chat()
    assert telegram(text_update(chat, "what is crmo"))[0] == 200
    replies = sent_to(telegram_api, chat)
    assert all(len(r["text"]) <= TELEGRAM_LIMIT and r.get("parse_mode") == "HTML" for r in replies)
    assert replies[0]["text"] == KB.messages["disclaimer"]  # a new conversation opens with it
    answer = next(r for r in replies if "osteomyelitis" in r["text"])
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/34202154/">' in answer["text"]
    assert "doctor" in answer["text"].splitlines()[-1]
    keyboard = json.loads(answer["reply_markup"])["inline_keyboard"]
    assert keyboard and all(row[0]["callback_data"].startswith("/") for row in keyboard)

    pressed = keyboard[0][0]
    assert telegram(button_update(chat, pressed["callback_data"]))[0] == 200
    after = sent_to(telegram_api, chat)[len(replies) :]
    assert any(pressed["callback_data"] != "/what_is_crmo" and "doctor" in r["text"] for r in after)


def test_every_reply_fits_telegram_limit(telegram, telegram_api):
    chat = new_chat()
    for text in ("what is crmo", "where is that from?", "what treatments are there", "tell me everything"):
        telegram(text_update(chat, text))
    replies = sent_to(telegram_api, chat)
    assert len(replies) >= 4
    assert max(len(r["text"]) for r in replies) <= TELEGRAM_LIMIT


def test_an_update_without_the_secret_is_refused(telegram, telegram_api):
    chat = new_chat()
    assert telegram(text_update(chat, "what is crmo"), secret=None)[0] == 403
    assert telegram(text_update(chat, "what is crmo"), secret="wrong")[0] == 403
    assert sent_to(telegram_api, chat) == []


def test_a_german_telegram_user_is_greeted_and_answered_in_german(telegram, telegram_api):
    """Telegram's `language_code` is the conversation's language where a message
    does not say (the /start greeting, a button press); a German question gets
    the German answer with its sources linked."""
    german = knowledge("de")
    chat = new_chat()
    assert telegram(text_update(chat, "/start", language_code="de")) == (200, "success")
    greeting = " ".join(r["text"] for r in sent_to(telegram_api, chat))
    assert "kein Arzt" in greeting and "not a doctor" not in greeting
    assert telegram(text_update(chat, "Wie wird CRMO behandelt?", language_code="de")) == (200, "success")
    replies = sent_to(telegram_api, chat)
    answer = next(r for r in replies if "pubmed.ncbi.nlm.nih.gov" in r["text"])
    assert "Quelle" in answer["text"] and answer["text"].rstrip().endswith(german.messages["consult"])
    buttons = [b["text"] for row in json.loads(replies[-1]["reply_markup"])["inline_keyboard"] for b in row]
    assert buttons == [german.messages["button_helpful_yes"], german.messages["button_helpful_no"]]
