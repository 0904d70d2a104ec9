"""The website chat widget in a real browser (Debian's Chromium, driven by
Playwright) against the live bot over socket.io: greeting, answers with
working source links, quick replies, history after a reload, hostile text,
keyboard use, small screens, and a real network fault between the page and
Rasa. The demo page is served with its Content-Security-Policy, so these tests
also show that the widget needs no inline script and no eval."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator, List, Optional

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from actions import compose
from bot import servers
from bot.knowledge import knowledge
from bot.web import server as web
from tests import accessibility

SCREENSHOTS = Path(__file__).resolve().parent / "artifacts" / "screenshots"
KB = knowledge()
DISCLAIMER = KB.messages["disclaimer"]
ASK_HELPFUL = KB.messages["ask_helpful"]
OFFLINE = "Can't reach the assistant right now"
XSS = "<img src=x onerror=alert(1)>"
ANSWER_WAIT_MS = 20_000
RECONNECT_WAIT_MS = 20_000


# ---- browser, servers and a page with the widget ----


@pytest.fixture
def site(live_bot, web_port: int) -> Iterator[web.RunningServer]:
    """The demo page on the one origin the Rasa server lets in, pointing at the live bot."""
    rasa, _ = live_bot
    server = web.start(web_port, rasa.url)
    yield server
    server.stop()


class Widget:
    """The widget on one page, and what the page did that it should not have."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: List[str] = []
        self.errors: List[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.launcher = page.locator("#crmo-chat-launcher")
        self.panel = page.locator("#crmo-chat-panel")
        self.log = page.locator("#crmo-chat-log")
        self.input = page.locator("#crmo-chat-input")
        self.alert = page.locator(".crmo-chat__alert")
        self.typing = page.locator(".crmo-chat__typing")
        self.bot = self.log.locator(".crmo-chat__msg--bot")
        self.user = self.log.locator(".crmo-chat__msg--user")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def bot_saying(self, text: str) -> Locator:
        return self.bot.filter(has_text=text)

    def ask(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def wait_for_greeting(self) -> None:
        expect(self.bot_saying(DISCLAIMER[:60])).to_have_count(1, timeout=ANSWER_WAIT_MS)
        starters = self.log.locator(".crmo-chat__replies").first.locator("button")
        expect(starters).to_have_text([KB.topics[t].title for t in compose.STARTER_TOPICS], timeout=ANSWER_WAIT_MS)

    def stored(self) -> dict:
        """The widget's localStorage record (one per server URL)."""
        raw = self.page.evaluate(
            "() => { const k = Object.keys(localStorage).find(k => k.startsWith('crmo-chat:v1:'));"
            " return k ? localStorage.getItem(k) : null; }"
        )
        assert raw, "the widget stored nothing"
        return json.loads(raw)

    def watch_typing(self) -> None:
        """Records whether the typing indicator shows at all: it may be up only for a moment."""
        self.page.evaluate(
            """() => {
                const typing = document.querySelector('.crmo-chat__typing');
                window.__typingShown = false;
                new MutationObserver(() => { if (!typing.hidden) window.__typingShown = true; })
                    .observe(typing, {attributes: true, attributeFilter: ['hidden']});
            }"""
        )

    def typing_was_shown(self) -> bool:
        return self.page.evaluate("() => window.__typingShown")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile (empty localStorage); links to the outside world get a stand-in page."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.route(
        lambda url: not url.startswith("http://127.0.0.1"),
        lambda route: route.fulfill(status=200, content_type="text/html", body="<title>source</title>"),
    )
    yield ctx
    ctx.close()


@pytest.fixture
def widget(context: BrowserContext) -> Widget:
    return Widget(context.new_page())


def open_by_keyboard(widget: Widget) -> None:
    """Tab from the top of the page to the launcher, then Enter."""
    page = widget.page
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == "crmo-chat-launcher":
            break
    else:
        pytest.fail("the chat launcher cannot be reached with the Tab key")
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    expect(widget.launcher).to_have_attribute("aria-expanded", "true")
    expect(widget.input).to_be_focused()


def no_horizontal_scroll(page: Page) -> None:
    sizes = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth,"
        " document.querySelector('#crmo-chat-log').scrollWidth, document.querySelector('#crmo-chat-log').clientWidth]"
    )
    page_width, viewport, log_width, log_visible = sizes
    assert page_width <= viewport, f"the page scrolls sideways: {page_width} px in a {viewport} px window"
    assert log_width <= log_visible, f"the conversation scrolls sideways: {log_width} > {log_visible} px"


def fully_in_view(page: Page, locator: Locator) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    viewport = page.viewport_size
    assert box and viewport
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box


# ---- the conversation ----


def test_a_conversation_in_the_widget_with_links_quick_replies_and_history(widget: Widget, site) -> None:
    page = widget.page
    page.goto(site.url)
    expect(page).to_have_title("CRMO information")
    expect(widget.panel).to_be_hidden()
    open_by_keyboard(widget)
    expect(widget.panel.locator("h2")).to_have_text("CRMO information assistant")

    # The greeting (disclaimer, then topics) comes by itself; "/greet" is not shown as the user's.
    widget.wait_for_greeting()
    expect(widget.user).to_have_count(0)
    assert widget.stored()["greeted"] is True

    # A question typed and sent with Enter: the answer cites its source as a link that opens safely.
    widget.watch_typing()
    page.keyboard.type("what is crmo")
    page.keyboard.press("Enter")
    expect(widget.user.last).to_have_text(re.compile(r"what is crmo$"))
    answer = widget.bot_saying(KB.topics["what_is_crmo"].answer[:60])
    expect(answer).to_have_count(1, timeout=ANSWER_WAIT_MS)
    expect(answer).to_contain_text("doctor")
    expect(answer).to_contain_text(KB.messages["consult"])
    assert widget.typing_was_shown(), "no typing indicator while the answer was on its way"
    expect(widget.typing).to_be_hidden()
    expect(widget.input).to_have_value("")
    source = answer.locator("a").first
    href = source.get_attribute("href") or ""
    assert href.startswith("https://pubmed.ncbi.nlm.nih.gov/34202154"), href
    assert source.get_attribute("target") == "_blank"
    assert "noopener" in (source.get_attribute("rel") or "").split()
    with page.context.expect_page() as opened:
        source.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == href
    assert tab.evaluate("() => window.opener") is None
    tab.close()
    expect(widget.bot_saying(ASK_HELPFUL)).to_have_count(1, timeout=ANSWER_WAIT_MS)

    # An older quick reply (from the greeting) still works: its title is shown, its payload sent.
    symptoms = KB.topics["symptoms"]
    widget.log.locator(".crmo-chat__replies").first.get_by_role("button", name=symptoms.title).click()
    expect(widget.user.last).to_have_text(re.compile(re.escape(symptoms.title) + "$"))
    expect(widget.bot_saying(symptoms.answer[:60])).to_have_count(1, timeout=ANSWER_WAIT_MS)
    expect(widget.bot_saying(ASK_HELPFUL)).to_have_count(2, timeout=ANSWER_WAIT_MS)
    expect(widget.log).not_to_contain_text("/symptoms")
    widget.bot_saying(symptoms.answer[:60]).locator("a").last.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widget-1280.png"))

    # Reload: the same session, the same transcript, the chat still open, and no second greeting.
    before = widget.stored()
    transcript = widget.log.locator(".crmo-chat__msg").all_inner_texts()
    page.reload()
    expect(widget.panel).to_be_visible()
    expect(widget.log.locator(".crmo-chat__msg")).to_have_count(len(transcript))
    assert widget.log.locator(".crmo-chat__msg").all_inner_texts() == transcript

    # Hostile text is shown as text. Its reply also proves no greeting was sent after the
    # reload: Rasa answers one sender in order, so a greeting would have come first.
    expect(page.locator(".crmo-chat[data-state=online]")).to_have_count(1, timeout=RECONNECT_WAIT_MS)
    bot_before = widget.bot.count()
    widget.ask(XSS)
    expect(widget.user.last).to_have_text(re.compile(re.escape(XSS) + "$"))
    expect(widget.bot).not_to_have_count(bot_before, timeout=ANSWER_WAIT_MS)
    expect(widget.typing).to_be_hidden()
    expect(widget.bot_saying(DISCLAIMER[:60])).to_have_count(1)
    assert widget.log.locator("img").count() == 0
    assert widget.stored()["sessionId"] == before["sessionId"]
    # A reply button restored from the history is still a working button.
    widget.log.get_by_role("button", name="Yes, it helped").first.click()
    expect(widget.bot_saying(KB.messages["feedback_thanks_helpful"])).to_have_count(1, timeout=ANSWER_WAIT_MS)
    assert widget.dialogs == [], widget.dialogs
    assert widget.errors == [], widget.errors


def test_the_widget_is_labelled_and_keyboard_operable(widget: Widget, site) -> None:
    page = widget.page
    page.goto(site.url)
    expect(widget.launcher).to_have_attribute("aria-controls", "crmo-chat-panel")
    open_by_keyboard(widget)
    expect(widget.log).to_have_attribute("role", "log")
    expect(widget.log).to_have_attribute("aria-live", "polite")
    expect(page.get_by_label("Type your question")).to_have_id("crmo-chat-input")
    expect(page.locator("label[for=crmo-chat-input]")).to_be_visible()
    expect(widget.alert).to_have_attribute("role", "alert")
    expect(widget.panel.get_by_role("button", name="Close chat")).to_be_visible()
    widget.wait_for_greeting()

    # A quick reply reached by Tab shows a clear focus ring.
    first_reply = widget.log.locator(".crmo-chat__reply").first
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        if first_reply.evaluate("node => node === document.activeElement"):
            break
    else:
        pytest.fail("the quick replies cannot be reached with the keyboard")
    ring = first_reply.evaluate(
        "node => { const s = getComputedStyle(node); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert ring[0] != "none" and ring[1] >= 2, ring
    page.keyboard.press("Enter")
    expect(widget.user.last).to_have_text(re.compile(re.escape(first_reply.inner_text()) + "$"))
    expect(widget.bot_saying(ASK_HELPFUL)).to_have_count(1, timeout=ANSWER_WAIT_MS)

    # Escape closes the chat and gives the focus back to the launcher.
    widget.input.focus()
    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")
    expect(widget.launcher).to_be_focused()
    # The close button does the same.
    page.keyboard.press("Enter")
    expect(widget.input).to_be_focused()
    widget.panel.get_by_role("button", name="Close chat").click()
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_focused()

    # The menu opens from the keyboard onto its first item; Escape closes it and
    # gives the focus back to its button, then closes the chat.
    widget.launcher.click()
    menu = widget.panel.get_by_role("button", name="Menu")
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(widget.panel.get_by_role("button", name="What do you know about me?")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(widget.panel).to_be_visible()

    # "Start over" (in the menu) forgets the conversation: a new session, greeted afresh.
    session = widget.stored()["sessionId"]
    menu.click()
    widget.panel.get_by_role("button", name=re.compile("^Start over")).click()
    expect(widget.user).to_have_count(0)
    widget.wait_for_greeting()
    expect(widget.bot).to_have_count(2)
    assert widget.stored()["sessionId"] not in (None, session)
    assert widget.errors == [], widget.errors


def test_the_menu_says_what_is_kept_and_start_over_deletes_it_on_the_server(widget: Widget, site, chat) -> None:
    page = widget.page
    page.goto(site.url)
    widget.launcher.click()
    widget.wait_for_greeting()
    widget.ask("what is crmo")
    expect(widget.bot_saying(ASK_HELPFUL)).to_have_count(1, timeout=ANSWER_WAIT_MS)
    menu = widget.panel.get_by_role("button", name="Menu")
    items = page.locator("#crmo-chat-menu")
    menu.click()
    items.get_by_role("button", name="What do you know about me?").click()
    expect(widget.user.last).to_contain_text("What do you know about me?")
    kept = widget.bot_saying(KB.messages["my_data_intro"])
    expect(kept).to_have_count(1, timeout=ANSWER_WAIT_MS)
    expect(kept).to_contain_text(KB.topics["what_is_crmo"].title)
    expect(menu).to_have_attribute("aria-expanded", "false")

    # "Forget me" from the menu asks first, in the chat.
    menu.click()
    items.get_by_role("button", name="Forget me").click()
    expect(widget.bot_saying(KB.messages["forget_me_ask"][:40])).to_have_count(1, timeout=ANSWER_WAIT_MS)
    widget.log.get_by_role("button", name="No, keep it").last.click()
    expect(widget.bot_saying(KB.messages["cancel_done"])).to_have_count(1, timeout=ANSWER_WAIT_MS)

    old = widget.stored()["sessionId"]
    menu.click()
    items.get_by_role("button", name=re.compile("^Start over")).click()
    widget.wait_for_greeting()
    assert widget.stored()["sessionId"] != old
    page.wait_for_timeout(1000)  # the deletion runs beside the new greeting
    # On the server the old conversation is gone: a message under its id opens a new one.
    replies = chat(old, "what do you know about me")
    assert replies[0]["text"] == DISCLAIMER
    assert "Messages from you: 1." in "\n".join(m.get("text", "") for m in replies)
    assert widget.errors == [], widget.errors


def test_motion_is_left_out_when_the_user_asks_for_less(browser: Browser, site) -> None:
    for motion, expected in (("no-preference", "crmo-chat-in"), ("reduce", "none")):
        ctx = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion=motion)
        try:
            page = ctx.new_page()
            page.goto(site.url)
            page.locator("#crmo-chat-launcher").click()
            name = page.locator("#crmo-chat-panel").evaluate("node => getComputedStyle(node).animationName")
            assert name == expected, (motion, name)
        finally:
            ctx.close()


def test_narrow_and_zoomed_screens(context: BrowserContext, site) -> None:
    """360 px: a phone. 640 x 400: a 1280 x 800 window at 200% zoom."""
    widget = Widget(context.new_page())
    page = widget.page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(site.url)
    no_horizontal_scroll(page)
    fully_in_view(page, widget.launcher)
    widget.launcher.click()
    widget.wait_for_greeting()
    widget.ask("how is crmo treated")
    answer = widget.bot_saying(KB.topics["treatment"].answer[:60])
    expect(answer).to_have_count(1, timeout=ANSWER_WAIT_MS)
    expect(widget.bot_saying(ASK_HELPFUL)).to_have_count(1, timeout=ANSWER_WAIT_MS)
    box = widget.panel.bounding_box()
    assert box and box["x"] == 0 and box["width"] == 360, box
    no_horizontal_scroll(page)
    fully_in_view(page, widget.input)
    fully_in_view(page, page.get_by_role("button", name="Send"))
    fully_in_view(page, page.get_by_role("button", name="Close chat"))
    answer.locator("a").last.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widget-360.png"))

    page.set_viewport_size({"width": 640, "height": 400})
    no_horizontal_scroll(page)
    fully_in_view(page, widget.input)
    fully_in_view(page, page.get_by_role("button", name="Send"))
    fully_in_view(page, page.get_by_role("button", name="Close chat"))
    page.screenshot(path=str(SCREENSHOTS / "widget-640-zoom200.png"))


# ---- hostile text in the transcript ----


def test_message_text_becomes_text_and_only_http_links(widget: Widget) -> None:
    """Bot messages are drawn by the same code live and from the stored
    transcript: a transcript full of tricks must come out as plain text."""
    server = web.start(0, f"http://127.0.0.1:{servers.free_port()}")  # no Rasa needed: nothing is sent
    try:
        page = widget.page
        page.goto(server.url)
        tricks = "\n".join(
            [
                XSS,
                "[click me](javascript:alert(2))",
                "<a href=javascript:alert(3)>x</a> data:text/html,<script>alert(4)</script>",
                "See [the paper](https://doi.org/10.1000/a(b)c). Or https://example.org/x_(y), then.",
                "Plain https://example.org/page; next",
            ]
        )
        record = {"sessionId": None, "greeted": True, "open": True, "messages": [{"from": "bot", "text": tricks}]}
        page.evaluate(
            "([key, value]) => localStorage.setItem(key, value)",
            [f"crmo-chat:v1:{server.rasa_url}", json.dumps(record)],
        )
        page.reload()
        message = widget.bot.first
        expect(message).to_be_visible()
        for line in tricks.splitlines()[:3]:
            expect(message).to_contain_text(line)
        links = message.locator("a")
        expect(links).to_have_count(3)
        assert [links.nth(i).get_attribute("href") for i in range(3)] == [
            "https://doi.org/10.1000/a(b)c",
            "https://example.org/x_(y)",
            "https://example.org/page",
        ]
        expect(links.first).to_contain_text("the paper")
        for i in range(3):
            assert links.nth(i).get_attribute("target") == "_blank"
            assert set((links.nth(i).get_attribute("rel") or "").split()) >= {"noopener", "noreferrer"}
        assert message.locator("img, script, [onerror]").count() == 0
        assert message.locator("br").count() == 4
        page.wait_for_timeout(300)  # an injected onerror would have fired by now
        assert widget.dialogs == [], widget.dialogs
    finally:
        server.stop()


# ---- a real network fault between the page and Rasa ----


class Forwarder:
    """A TCP relay from a port of its own to the Rasa server: stopping it closes
    the port and cuts every open connection, as a network fault would."""

    def __init__(self, port: int, target_port: int) -> None:
        self.port = port
        self.target_port = target_port
        self.listener: Optional[socket.socket] = None
        self.connections: List[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self.listener:
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() below, so the port is free again
            self.listener.close()
            self.listener = None
        with self.lock:
            for conn in self.connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self.connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by stop()
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for conn in (source, sink):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


def test_an_unreachable_server_shows_an_error_and_the_widget_recovers(live_bot, web_port: int, widget: Widget) -> None:
    rasa, _ = live_bot
    forwarder = Forwarder(servers.free_port(), rasa.port)
    site = web.start(web_port, f"http://127.0.0.1:{forwarder.port}")
    try:
        page = widget.page
        page.goto(site.url)  # the forwarder is not listening yet: Rasa cannot be reached
        widget.launcher.click()
        expect(widget.alert).to_contain_text(OFFLINE, timeout=RECONNECT_WAIT_MS)
        expect(widget.alert).to_be_visible()
        # Sending while offline keeps the text in the field and shows nothing as sent.
        widget.ask("what is crmo")
        expect(widget.input).to_have_value("what is crmo")
        expect(widget.user).to_have_count(0)

        forwarder.start()  # the server is back: the widget reconnects by itself
        expect(widget.alert).to_be_hidden(timeout=RECONNECT_WAIT_MS)
        widget.wait_for_greeting()
        expect(widget.input).to_have_value("what is crmo")
        widget.input.press("Enter")
        expect(widget.bot_saying(KB.topics["what_is_crmo"].answer[:60])).to_have_count(1, timeout=ANSWER_WAIT_MS)
        session = widget.stored()["sessionId"]

        forwarder.stop()  # the connection drops in the middle of the conversation
        expect(widget.alert).to_contain_text(OFFLINE, timeout=RECONNECT_WAIT_MS)
        forwarder.start()
        expect(widget.alert).to_be_hidden(timeout=RECONNECT_WAIT_MS)
        widget.ask("is crmo contagious")
        expect(widget.bot_saying(KB.topics["is_it_infectious"].answer[:60])).to_have_count(1, timeout=ANSWER_WAIT_MS)
        assert widget.stored()["sessionId"] == session, "the reconnection started a new session"
        expect(widget.bot_saying(DISCLAIMER[:60])).to_have_count(1)
        assert widget.errors == [], widget.errors
    finally:
        site.stop()
        forwarder.stop()


# ---- the static server ----


def fetch(url: str) -> tuple:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_server_serves_only_its_files_with_a_strict_policy(capfd) -> None:
    server = web.start(0, "http://127.0.0.1:5005/")
    try:
        status, headers, body = fetch(f"{server.url}/")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert b'data-server="http://127.0.0.1:5005"' in body and b"{{" not in body
        assert b"<script>" not in body  # no inline script: the policy would block it
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy
        assert "connect-src 'self' http://127.0.0.1:5005 ws://127.0.0.1:5005;" in policy
        assert "unsafe" not in policy
        for path, kind in [
            ("/crmo-chat.js", "text/javascript"),
            ("/crmo-chat.css", "text/css"),
            ("/vendor/socket.io.min.js", "text/javascript"),
        ]:
            status, headers, body = fetch(server.url + path)
            assert status == 200 and headers["Content-Type"].startswith(kind), (path, headers)
            assert headers["X-Content-Type-Options"] == "nosniff"
        for path in [
            "/../server.py",
            "/%2e%2e/server.py",
            "/..%2fserver.py",
            "/static/",
            "/vendor/",
            "/vendor/../package.json",
            "/.gitignore",
            "/node_modules/socket.io-client/package.json",
        ]:
            assert fetch(server.url + path)[0] == 404, path
        assert capfd.readouterr().err == "", "the server logged requests to stderr"
    finally:
        server.stop()


def test_the_policy_allows_secure_websockets_for_an_https_server() -> None:
    policy = web.content_security_policy("https://assistant.example.org")
    assert "connect-src 'self' https://assistant.example.org wss://assistant.example.org;" in policy
    with pytest.raises(ValueError):
        web.normalise_rasa_url("javascript:alert(1)")


def test_without_node_modules_the_server_says_how_to_install(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setattr(web, "VENDOR", tmp_path / "missing")
    with pytest.raises(web.WidgetNotInstalled, match=re.escape("npm ci --prefix bot/web")):
        web.start(0, "http://127.0.0.1:5005")
    assert web.main(["--port", "0"]) == 1
    assert "npm ci --prefix bot/web" in capsys.readouterr().err


def test_the_page_with_an_answer_passes_an_axe_audit(browser: Browser, site) -> None:
    """axe-core (npm, from the dev lock, read from node_modules) with the WCAG 2.1
    A and AA rules on the demo page with the widget open and an answer shown:
    any violation fails, and is printed with the elements it concerns."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    try:
        widget = Widget(context.new_page())
        widget.page.goto(site.url)
        widget.launcher.click()
        widget.wait_for_greeting()
        widget.ask("what is crmo")
        expect(widget.bot_saying(ASK_HELPFUL)).to_have_count(1, timeout=ANSWER_WAIT_MS)
        violations = accessibility.audit(widget.page)
        assert not violations, "\n".join(violations)
    finally:
        context.close()


# ---- in German ----

DE = knowledge("de")


def german_page(context: BrowserContext, site) -> Page:
    """The demo page as a German site would have it: <html lang="de-AT"> (set
    once the page is parsed, before the widget's deferred script runs; a page
    rewritten by the test's router would lose its local origin)."""
    page = context.new_page()
    page.add_init_script(
        "document.addEventListener('readystatechange', () => {"
        " if (document.readyState === 'interactive') document.documentElement.lang = 'de-AT'; });"
    )
    page.goto(site.url)
    return page


def test_on_a_german_page_the_widget_speaks_german_and_its_switch_changes_language(context: BrowserContext, site):
    """The widget follows the page's `lang`: its own labels, the greeting and the
    answers are German; the switch turns all of it to English and back, and is
    remembered for the next page load. A German answer at 360 px is kept as a
    screenshot (tests/artifacts/screenshots/widget-de-360.png)."""
    page = german_page(context, site)
    widget = Widget(page)
    expect(widget.launcher).to_have_text("Fragen zu CRMO?")
    widget.launcher.click()
    expect(page.locator("#crmo-chat")).to_have_attribute("lang", "de")
    expect(page.locator(".crmo-chat__label")).to_have_text("Schreiben Sie Ihre Frage")
    expect(widget.input).to_have_attribute("placeholder", "Zum Beispiel: Was ist CRMO?")
    expect(widget.bot_saying(DE.messages["disclaimer"][:60])).to_have_count(1, timeout=ANSWER_WAIT_MS)
    starters = widget.log.locator(".crmo-chat__replies").first.locator("button")
    expect(starters).to_have_text([DE.topics[t].title for t in compose.STARTER_TOPICS], timeout=ANSWER_WAIT_MS)

    widget.ask("Wie wird CRMO behandelt?")
    expect(widget.bot_saying(DE.messages["ask_helpful"])).to_have_count(1, timeout=ANSWER_WAIT_MS)
    answer = widget.bot_saying(DE.topics["treatment"].answer[:50])
    expect(answer).to_have_count(1)
    expect(answer.locator("a").first).to_have_attribute("href", re.compile(r"^https://(pubmed|doi)"))
    helpful = widget.log.locator(".crmo-chat__replies").last.locator("button")
    expect(helpful).to_have_text([DE.messages["button_helpful_yes"], DE.messages["button_helpful_no"]])
    assert not widget.errors, widget.errors

    page.set_viewport_size({"width": 360, "height": 740})
    answer.scroll_into_view_if_needed()
    no_horizontal_scroll(page)
    title, switch_box = (
        page.locator(".crmo-chat__title").bounding_box(),
        page.locator(".crmo-chat__language-button").bounding_box(),
    )
    assert (
        title and switch_box and title["x"] + title["width"] <= switch_box["x"]
    ), "the German title runs under the buttons"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "widget-de-360.png"))

    switch = page.locator(".crmo-chat__language-button")
    expect(switch).to_have_text("English")
    expect(switch).to_have_attribute("lang", "en")
    switch.click()
    expect(page.locator("#crmo-chat")).to_have_attribute("lang", "en")
    expect(page.locator(".crmo-chat__label")).to_have_text("Type your question")
    expect(widget.bot_saying(KB.messages["disclaimer"][:60])).to_have_count(1, timeout=ANSWER_WAIT_MS)
    widget.page.locator(".crmo-chat__replies").last.locator("button").first.click()  # a topic button: no text to go by
    expect(widget.bot_saying(ASK_HELPFUL)).to_have_count(1, timeout=ANSWER_WAIT_MS)
    assert widget.stored()["language"] == "en"

    page.reload()
    expect(page.locator("#crmo-chat")).to_have_attribute("lang", "en")  # the choice outlives the page's lang
    expect(page.locator(".crmo-chat__language-button")).to_have_text("Deutsch")


def test_the_german_widget_passes_an_axe_audit(browser: Browser, site) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    try:
        page = german_page(context, site)
        widget = Widget(page)
        widget.launcher.click()
        expect(widget.bot_saying(DE.messages["disclaimer"][:60])).to_have_count(1, timeout=ANSWER_WAIT_MS)
        widget.ask("Ist CRMO ansteckend?")
        expect(widget.bot_saying(DE.messages["ask_helpful"])).to_have_count(1, timeout=ANSWER_WAIT_MS)
        violations = accessibility.audit(page)
        assert not violations, "\n".join(violations)
    finally:
        context.close()
