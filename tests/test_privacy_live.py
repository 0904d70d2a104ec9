"""People's data and the team, through the live servers: "what do you know about
me?", "forget me" and "ask the team" over REST, Slack and Telegram (the shell
talks to the same REST channel); the dashboard's door; and on the production
profile, PostgreSQL holding nothing of a sender after "forget me"."""

from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest
import sqlalchemy as sa

from bot.knowledge import knowledge
from bot.team_questions import TeamQuestions, store_url, team_questions
from devtools.cluster import running_cluster
from tests.conftest import ARTIFACTS, CURATOR_TOKEN, TELEGRAM_SECRET, post, post_json
from tests.test_slack import message_event, signed, wait_for_replies
from tests.test_telegram import new_chat, sent_to, text_update

KB = knowledge()
M = KB.messages
ASK_TEAM = {"title": "Ask the team", "payload": "/ask_team"}
SECRET = "my son Theo limps"  # message text that must never leave the dashboard's door


def said(messages: List[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def buttons(messages: List[dict]) -> List[dict]:
    return [b for m in messages for b in m.get("buttons") or []]


# ---- REST, default profile ----


def test_what_do_you_know_about_me_counts_without_repeating(chat):
    sender = uuid.uuid4().hex
    chat(sender, f"{SECRET}, which bones does crmo affect?")
    reply = chat(sender, "what do you know about me?")
    text = said(reply)
    assert M["my_data_intro"] in text
    assert "Messages from you: 2." in text and KB.topics["affected_sites"].title in text
    assert SECRET not in text and "Theo" not in text
    assert {"title": "Forget me", "payload": "/forget_me"} in buttons(reply)


def test_forget_me_asks_then_deletes_and_the_next_message_starts_afresh(chat):
    sender = uuid.uuid4().hex
    chat(sender, "what is crmo")
    asked = chat(sender, "please delete my data")
    assert said(asked).endswith(M["forget_me_ask"])
    assert said(chat(sender, "/cancel")).endswith(M["cancel_done"])
    assert "Messages from you: 2." not in said(chat(sender, "what do you know about me"))  # still there: 4 by now
    chat(sender, "forget me")
    assert said(chat(sender, "/forget_me_confirm")).endswith(M["forget_me_done"])
    fresh = chat(sender, "what do you know about me")
    assert fresh[0]["text"] == M["disclaimer"]  # a new conversation opens with the disclaimer
    assert "Messages from you: 1. Replies from me: 0." in said(fresh)


def test_two_fallbacks_offer_the_team_and_an_address_is_stored_with_consent(chat):
    sender = uuid.uuid4().hex
    first = chat(sender, "zxqv plorb")
    assert ASK_TEAM not in buttons(first)
    second = chat(sender, "can crmo make my hair fall out")
    assert ASK_TEAM in buttons(second), said(second)
    consent = chat(sender, "/ask_team")
    assert '"can crmo make my hair fall out"' in said(consent) and "not medical advice" in said(consent)
    assert team_questions().of_sender(sender) == []  # nothing before consent
    assert said(chat(sender, "anna@example")).endswith(M["team_bad_email"])
    assert said(chat(sender, "my email is anna@example.org")).endswith(M["team_sent_with_email"])
    stored = team_questions().of_sender(sender)
    assert [(q.question, q.email) for q in stored] == [("can crmo make my hair fall out", "anna@example.org")]


def test_an_unhelpful_rating_offers_the_team_and_consent_without_address_stores_the_question(chat):
    sender = uuid.uuid4().hex
    chat(sender, "how is crmo treated")
    assert ASK_TEAM in buttons(chat(sender, "/feedback_unhelpful"))
    chat(sender, "/ask_team")
    assert said(chat(sender, "/ask_team_send")).endswith(M["team_sent_without_email"])
    assert [(q.question, q.email) for q in team_questions().of_sender(sender)] == [("how is crmo treated", None)]
    chat(sender, "forget me")
    chat(sender, "/forget_me_confirm")
    assert team_questions().of_sender(sender) == []  # forgotten with the conversation


# ---- Slack and Telegram ----


def test_slack_users_can_ask_what_is_kept_and_be_forgotten(live_bot, slack_api):
    rasa, _ = live_bot
    user = f"U{uuid.uuid4().hex[:8].upper()}"

    def send(text: str) -> None:
        body = message_event(text, user)
        status, _ = post(
            f"{rasa.url}/webhooks/slack/webhook", body, {"Content-Type": "application/json", **signed(body)}
        )
        assert status == 200

    send("what do you know about me")
    posts = wait_for_replies(slack_api, f"D{user}", 2)
    assert any(M["my_data_intro"] in p.body.get("text", "") for p in posts)
    send("forget me")
    posts = wait_for_replies(slack_api, f"D{user}", len(posts) + 1)
    assert any("forget_me_confirm" in json.dumps(p.body.get("blocks", "")) for p in posts)


def test_telegram_users_can_ask_what_is_kept(live_bot, telegram_api):
    rasa, _ = live_bot
    chat = new_chat()
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
    update = json.dumps(text_update(chat, "what do you know about me")).encode()
    assert post(f"{rasa.url}/webhooks/telegram/webhook", update, headers)[0] == 200
    assert any("keeps about this conversation" in r["text"] for r in sent_to(telegram_api, chat))


# ---- the dashboard's door ----


def get(url: str, headers: Optional[Dict[str, str]] = None) -> Tuple[int, str, Dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def test_the_dashboard_refuses_without_the_token_and_shows_no_question_or_address(live_bot, chat):
    rasa, _ = live_bot
    sender = uuid.uuid4().hex
    chat(sender, f"{SECRET}: xqzv florp?")
    chat(sender, "zxqv plorb again")
    chat(sender, "/ask_team")
    chat(sender, "door-test@example.org")
    url = f"{rasa.url}/webhooks/dashboard/"
    for headers in ({}, {"Authorization": "Bearer not-the-token"}, {"Cookie": "crmo_curator=forged"}):
        status, body, _ = get(url, headers)
        assert status == 401 and "Curator token" in body
        assert "door-test@example.org" not in body and SECRET not in body
    status, body = post(f"{url}login", b"token=wrong", {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 401 and "not right" in body
    question = team_questions().of_sender(sender)[0]
    status, _ = post(f"{url}questions/{question.id}/answered", b"", {})
    assert status == 401 and not team_questions().of_sender(sender)[0].answered

    status, body, headers = get(url, {"Authorization": f"Bearer {CURATOR_TOKEN}"})
    assert status == 200 and "door-test@example.org" in body and "zxqv plorb again" in body
    assert headers["Cache-Control"] == "no-store" and "frame-ancestors 'none'" in headers["Content-Security-Policy"]


# ---- production profile: PostgreSQL ----


@pytest.fixture(scope="module")
def prod_server(model: Path, postgres, redis, prod_env):
    store = {**prod_env, **postgres.create_database("privacy"), "CRMO_TEAM_DB_URL": ""}
    env = {"CRMO_CURATOR_TOKEN": CURATOR_TOKEN}
    with running_cluster(model, store, count=1, log_dir=ARTIFACTS / "privacy", env=env) as cluster:
        yield cluster.rasa[0], store


def pg_url(store: Dict[str, str]) -> str:
    return store_url({**store, "CRMO_TEAM_DB_URL": ""})


def events_of(store: Dict[str, str], sender: str) -> int:
    engine = sa.create_engine(pg_url(store))
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT count(*) FROM events WHERE sender_id = :sender")
            return int(connection.execute(query, {"sender": sender}).scalar_one())
    finally:
        engine.dispose()


def rows_holding(store: Dict[str, str], text: str) -> int:
    engine = sa.create_engine(pg_url(store))
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT count(*) FROM events WHERE data LIKE :pattern")
            return int(connection.execute(query, {"pattern": f"%{text}%"}).scalar_one())
    finally:
        engine.dispose()


def test_on_postgres_forget_me_leaves_no_event_and_no_question_of_the_sender(prod_server):
    server, store = prod_server
    questions = TeamQuestions(pg_url(store))

    def say(sender: str, text: str) -> List[dict]:
        status, messages = post_json(f"{server.url}/webhooks/rest/webhook", {"sender": sender, "message": text})
        assert status == 200, messages
        return messages

    sender, other = uuid.uuid4().hex, uuid.uuid4().hex
    for who in (sender, other):
        say(who, "how is crmo treated")
        say(who, "/feedback_unhelpful")
        say(who, "/ask_team")
        say(who, f"{who[:6]}@example.org")
    assert events_of(store, sender) > 10 and len(questions.of_sender(sender)) == 1
    # The address lives with the question for the team only, never in the conversation.
    assert [q.email for q in questions.of_sender(sender)] == [f"{sender[:6]}@example.org"]
    assert rows_holding(store, "@example.org") == 0

    say(sender, "forget me")
    assert said(say(sender, "/forget_me_confirm")).endswith(M["forget_me_done"])
    assert events_of(store, sender) == 0
    assert questions.of_sender(sender) == []
    assert events_of(store, other) > 10 and len(questions.of_sender(other)) == 1  # others keep theirs

    fresh = say(sender, "hello")
    assert fresh[0]["text"] == M["disclaimer"]
    assert 0 < events_of(store, sender) < 10  # only the new conversation

    status, body, _ = get(f"{server.url}/webhooks/dashboard/", {"Authorization": f"Bearer {CURATOR_TOKEN}"})
    assert status == 200 and f"{other[:6]}@example.org" in body and f"{sender[:6]}@example.org" not in body

    # The servers' logs (INFO, the default) hold no address and no question.
    logs = list((ARTIFACTS / "privacy").glob("*.log"))
    assert len(logs) >= 2
    for log in logs:
        text = log.read_text(errors="replace")
        assert "@example.org" not in text and "how is crmo treated" not in text, log
