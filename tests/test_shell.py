"""The terminal, in a real pseudo-terminal:

- `python -m bot shell` runs the real `rasa shell` (with the action server),
  with `--language de` answering in German a message that does not say;
- `python -m bot run`, the README's run command, serves the website chat's
  demo page and opens Rasa's console on the same Rasa server.

Each answers "what is crmo" with a cited answer (plain text, full URL) and the
consult urge, and the run command's console also says what it keeps and
forgets the conversation through its buttons; opened in German (`--language
de`), it greets and answers in German; Ctrl-C stops everything it started."""

from __future__ import annotations

import re
import sys
import urllib.request
from pathlib import Path
from typing import List

import pexpect

from bot import servers
from bot.knowledge import knowledge
from tests.conftest import ARTIFACTS, PROJECT


def spawn(args: List[str], log_name: str) -> pexpect.spawn:
    (ARTIFACTS / "logs").mkdir(parents=True, exist_ok=True)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "bot", *args],
        cwd=str(PROJECT),
        env=servers.child_env(),
        encoding="utf-8",
        timeout=240,
        dimensions=(50, 200),
    )
    child.logfile_read = open(ARTIFACTS / "logs" / log_name, "w")  # noqa: SIM115  # closed with the child
    return child


def ask_what_is_crmo(child: pexpect.spawn) -> None:
    child.expect("Your input ->")
    child.sendline("what is crmo")
    child.expect(re.escape(knowledge().messages["consult"]), timeout=60)
    answer = child.before
    assert "CRMO stands for chronic recurrent multifocal osteomyelitis" in answer
    assert "Children (Basel) 2021: https://pubmed.ncbi.nlm.nih.gov/34202154/" in answer
    assert "](" not in answer  # plain text, not the web's markdown
    child.expect("Was this answer helpful")


DOWN, ENTER = "\x1b[B", "\r"


def ask_what_is_kept_then_forget(child: pexpect.spawn) -> None:
    """At the "Was this helpful?" choice list: "Type out your own message..." (the
    third choice), "what do you know about me", then its "Forget me" button and
    "Yes, delete everything"."""
    messages = knowledge().messages
    child.send(DOWN + DOWN + ENTER)
    child.expect("Your input ->")
    child.sendline("what do you know about me")
    child.expect(re.escape(messages["my_data_intro"]), timeout=60)
    child.expect("Forget me")
    child.send(ENTER)  # the first choice: the "Forget me" button
    child.expect(re.escape(messages["forget_me_ask"][:40]), timeout=60)
    child.expect("Yes, delete everything")
    child.send(ENTER)
    child.expect(re.escape(messages["forget_me_done"][:40]), timeout=60)


def interrupt(child: pexpect.spawn) -> None:
    # Ctrl-C at Rasa's button prompt only cancels the prompt; a second one
    # stops the shell, as it would for a person at the keyboard.
    for _ in range(3):
        child.sendintr()
        if child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=20) == 0:
            break
    child.close(force=True)
    child.logfile_read.close()


def test_the_rasa_shell_answers_with_a_citation(model: Path):
    port, action_port = servers.free_port(), servers.free_port()
    shell = spawn(["shell", "--port", str(port), "--action-port", str(action_port)], "shell.log")
    try:
        ask_what_is_crmo(shell)
    finally:
        interrupt(shell)
    assert not port_in_use(action_port), "the action server outlived the shell"


def test_the_rasa_shell_in_german_answers_a_message_that_does_not_say_in_german(model: Path):
    """`make shell LANGUAGE=de`: Rasa's terminal sends no language, so "CRMO..."
    (no word of either language, and no topic the classifier is sure of) gets
    the German "did you mean" choices and the chosen topic its German answer; a
    clear English question is still answered in English. ("CRMO?" alone is now
    answered: the classifier takes it for "other names".)"""
    german, english = knowledge("de").messages, knowledge().messages
    port, action_port = servers.free_port(), servers.free_port()
    args = ["shell", "--language", "de", "--port", str(port), "--action-port", str(action_port)]
    shell = spawn(args, "shell-de.log")
    try:
        shell.expect("Your input ->")
        shell.sendline("CRMO...")
        shell.expect(re.escape(german["fallback"][:60]), timeout=60)
        shell.expect(re.escape(german["fallback_choices"]))
        shell.send(ENTER)  # the first topic offered
        shell.expect(re.escape(german["consult"]), timeout=60)
        assert "(auf Englisch):" in shell.before
        shell.expect(re.escape(german["ask_helpful"]))
        shell.send(DOWN + DOWN + ENTER)  # "Type out your own message..."
        shell.expect("Your input ->")
        shell.sendline("is crmo hereditary")
        shell.expect(re.escape(english["consult"]), timeout=60)
    finally:
        interrupt(shell)


def test_the_run_command_serves_the_website_chat_and_the_terminal_chat(model: Path):
    ports = [servers.free_port() for _ in range(3)]
    run = spawn(
        ["run", "--port", str(ports[0]), "--action-port", str(ports[1]), "--web-port", str(ports[2])], "run.log"
    )
    try:
        run.expect(r"Website chat \(demo page\): (http://127\.0\.0\.1:\d+)/")
        page = urllib.request.urlopen(run.match.group(1) + "/", timeout=10).read().decode()
        assert "<title>CRMO information" in page and "crmo-chat.js" in page
        assert f'data-server="http://127.0.0.1:{ports[0]}"' in page
        ask_what_is_crmo(run)
        ask_what_is_kept_then_forget(run)
    finally:
        interrupt(run)
    assert not any(port_in_use(p) for p in ports), "a server outlived the run command"


def test_the_run_command_opens_the_terminal_chat_in_german(model: Path):
    """`make run LANGUAGE=de`: greeted in German, and a German question, then a
    button press, answered in German."""
    german = knowledge("de").messages
    ports = [servers.free_port() for _ in range(3)]
    args = ["run", "--language", "de", "--port", str(ports[0]), "--action-port", str(ports[1])]
    run = spawn([*args, "--web-port", str(ports[2])], "run-de.log")
    try:
        run.expect(re.escape(german["disclaimer"][:60]), timeout=240)
        run.expect("Your input ->")
        run.sendline("Ist CNO erblich?")
        run.expect(re.escape(german["consult"]), timeout=60)
        # the citation line: its German label, and the links as plain URLs
        assert "(auf Englisch):" in run.before
        assert re.search(r"https://(pubmed\.ncbi\.nlm\.nih\.gov|doi\.org)/", run.before)
        run.expect(re.escape(german["ask_helpful"]))
        run.expect(re.escape(german["button_helpful_yes"]))
        run.send(ENTER)  # "Ja, hat geholfen"
        run.expect(re.escape(german["feedback_thanks_helpful"]), timeout=60)
    finally:
        interrupt(run)


def port_in_use(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
