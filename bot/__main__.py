"""The project's command line: `python -m bot <command>` (the Makefile calls it).

build-nlp   build the spaCy pipeline (only when the vocabulary changed)
sync        rewrite the Rasa files derived from the knowledge base
check       validate the knowledge base and print each answer's reading grade
train       train the model when data or config changed (--force: always)
run         the assistant: chat in the terminal (--language de: opened in German),
            and the website chat on :8080
serve       the same servers without the terminal chat (widget, REST, Slack, Telegram);
            --profile prod: one Rasa server on endpoints.prod.yml (README, "Production"),
            listening on --host
actions     the action server alone (production: one per deployment)
shell       action server + the real `rasa shell` (--language de: answered in German
            when a message does not say which language it is in)
forget      delete conversations idle longer than the retention period (CRMO_RETENTION_DAYS, 30)
report      curators' report: fallbacks, out-of-scope questions, answers rated unhelpful

The developers' commands (benchmarks, pipeline comparisons) are in devtools/.
Each command is one row of COMMANDS: its help, its arguments and the function
that runs it, so adding a command touches one place.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence

from bot import nlp, paths, servers, settings, sync, training
from bot.knowledge import LANGUAGES
from bot.nlu import REPLY_LANGUAGE
from bot.paths import PROD_ENDPOINTS


def _start_bot(port: int, action_port: int, web_port: int) -> tuple:
    """Action server, Rasa server with every channel, and the widget's demo page;
    the page's origin is let in unless CRMO_WEB_ORIGINS says otherwise."""
    from bot.web import server as web

    model = training.ensure_model()
    logs = Path(tempfile.mkdtemp(prefix="crmo-logs-"))
    origins = f"http://127.0.0.1:{web_port}, http://localhost:{web_port}"
    env = {settings.WEB_ORIGINS: os.environ.get(settings.WEB_ORIGINS) or origins}
    # The curators' dashboard needs a token: without one set, this run makes its own.
    curator_token = os.environ.get(settings.CURATOR_TOKEN) or secrets.token_hex(16)
    env[settings.CURATOR_TOKEN] = curator_token
    actions = servers.start_action_server(action_port, logs / "action-server.log")
    try:
        rasa = servers.start_rasa_server(model, actions.url, port, logs / "rasa-server.log", env=env)
    except BaseException:
        actions.stop()
        raise
    page = web.start(web_port, rasa.url)
    print(f"Website chat (demo page): {page.url}/", flush=True)
    print(f"REST channel: POST {rasa.url}/webhooks/rest/webhook", flush=True)
    shown = curator_token if not os.environ.get(settings.CURATOR_TOKEN) else f"${settings.CURATOR_TOKEN}"
    print(f"Curators' dashboard: {rasa.url}/webhooks/dashboard/ (token: {shown})", flush=True)
    print(f"Logs: {logs}", flush=True)
    return actions, rasa, page


def _serve(console: bool, port: int, action_port: int, web_port: int, language: Optional[str] = None) -> int:
    """`run`: the terminal chat (Rasa's own console) next to the website chat,
    opened in `language` when one is given (the assistant greets in it, and a
    message that does not say which language it is in is answered in it);
    `serve`: the servers alone, until Ctrl-C."""
    actions, rasa, page = _start_bot(port, action_port, web_port)
    try:
        if console:
            import asyncio
            import uuid

            from rasa.core.channels.console import record_messages

            sender = uuid.uuid4().hex
            if language:
                _greet_in(rasa.url, sender, language)
            print("Type your question (/stop to end).", flush=True)
            asyncio.run(record_messages(server_url=rasa.url, sender_id=sender))
        else:
            rasa.process.wait()
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        page.stop()
        rasa.stop()
        actions.stop()


def _greet_in(url: str, sender: str, language: str) -> None:
    """Opens the terminal conversation with a greeting whose entity sets the
    conversation's language, and prints it as the console prints replies."""
    import json
    import urllib.request

    from rasa.core.channels.console import _print_bot_output

    greeting = "/greet" + json.dumps({REPLY_LANGUAGE: language})
    body = json.dumps({"sender": sender, "message": greeting, "metadata": {"language": language}}).encode()
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as reply:
        for message in json.loads(reply.read()):
            _print_bot_output(message)


def _serve_prod(port: int, host: str) -> int:
    """One Rasa server of the production profile: stores and action server from
    the environment (endpoints.prod.yml); start as many as needed, anywhere."""
    model = training.ensure_model()
    rasa = servers.start_rasa_server(model, "", port, profile="prod", host=host)
    print(f"Rasa server (production profile) on {host}:{port}", flush=True)
    return _until_stopped(rasa)


def _actions(port: int, host: str) -> int:
    actions = servers.start_action_server(port, host=host)
    print(f"Action server on {host}:{port}", flush=True)
    return _until_stopped(actions)


def _until_stopped(server: servers.Server) -> int:
    """Runs until the server exits or Ctrl-C, then stops it."""
    try:
        return server.process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()


def _shell(port: int, action_port: int, language: Optional[str] = None) -> int:
    """The real `rasa shell`, with the action server beside it. Rasa's terminal
    channel sends no language with a message, so `language` becomes both
    servers' CRMO_LANGUAGE: the answer to a message that does not say which
    language it is in ("ok", "CRMO?") is in it, and so is an apology."""
    model = training.ensure_model()
    language_env = {settings.LANGUAGE: language} if language else None
    actions = servers.start_action_server(action_port, env=language_env)
    try:
        actions.temporary.append(servers.endpoints_for(actions.url))
        args = servers.rasa_args("shell", model, actions.temporary[-1], port)
        return subprocess.call([sys.executable, "-m", *args], cwd=paths.PROJECT, env=servers.child_env(language_env))
    except KeyboardInterrupt:
        return 0
    finally:
        actions.stop()


def _build_nlp(args: argparse.Namespace) -> int:
    print("built" if nlp.build() else "up to date", nlp.PIPELINE_DIR)
    return 0


def _sync(args: argparse.Namespace) -> int:
    if not args.check:
        sync.write()
        return 0
    stale = sync.stale()
    for path in stale:
        print(f"out of date: {path}")
    return 1 if stale else 0


def _check(args: argparse.Namespace) -> int:
    from bot.knowledge import knowledge
    from bot.knowledge.check import main as check

    knowledge()
    return check([])


def _train(args: argparse.Namespace) -> int:
    training.ensure_model(force=args.force)
    return 0


def _run_or_serve(args: argparse.Namespace) -> int:
    if args.command == "serve" and args.profile == "prod":
        return _serve_prod(args.port, args.host or servers.LOOPBACK)
    return _serve(args.command == "run", args.port, args.action_port, args.web_port, getattr(args, "language", None))


def _forget(args: argparse.Namespace) -> int:
    from bot.retention import command as forget

    return forget(args.days, args.endpoints)


def _report(args: argparse.Namespace) -> int:
    from bot.curation import command as report

    return report(args.days, args.endpoints, args.json)


class Arg(NamedTuple):
    """One option of a command, as `argparse.add_argument` takes it."""

    flag: str
    options: Dict[str, object]


def _ports(web: bool) -> List[Arg]:
    ports = [Arg("--port", {"type": int, "default": 5005}), Arg("--action-port", {"type": int, "default": 5055})]
    return ports + ([Arg("--web-port", {"type": int, "default": 8080})] if web else [])


_STORE = Arg("--endpoints", {"default": PROD_ENDPOINTS, "help": "the tracker store's configuration"})


class Command(NamedTuple):
    help: str
    run: Callable[[argparse.Namespace], int]
    args: Sequence[Arg] = ()


COMMANDS: Dict[str, Command] = {
    "build-nlp": Command("build the spaCy pipeline", _build_nlp),
    "sync": Command(
        "rewrite the files derived from the knowledge base", _sync, [Arg("--check", {"action": "store_true"})]
    ),
    "check": Command("validate the knowledge base, print reading grades", _check),
    "train": Command("train when data or config changed", _train, [Arg("--force", {"action": "store_true"})]),
    "run": Command(
        "terminal chat and the website chat",
        _run_or_serve,
        [*_ports(web=True), Arg("--language", {"choices": LANGUAGES, "help": "the terminal chat's language"})],
    ),
    "serve": Command(
        "the servers without the terminal chat",
        _run_or_serve,
        [
            *_ports(web=True),
            Arg("--profile", {"choices": ("default", "prod"), "default": "default"}),
            Arg("--host", {"help": "--profile prod only: the interface to listen on (default 127.0.0.1)"}),
        ],
    ),
    "actions": Command(
        "the action server alone",
        lambda args: _actions(args.port, args.host or servers.LOOPBACK),
        [Arg("--port", {"type": int, "default": 5055}), Arg("--host", {"help": "the interface (default 127.0.0.1)"})],
    ),
    "shell": Command(
        "the real `rasa shell`",
        lambda args: _shell(args.port, args.action_port, args.language),
        [
            *_ports(web=False),
            Arg("--language", {"choices": LANGUAGES, "help": "the language when a message does not say"}),
        ],
    ),
    "forget": Command(
        "delete conversations idle longer than the retention period",
        _forget,
        [Arg("--days", {"type": int, "help": "retention period (default: $CRMO_RETENTION_DAYS, else 30)"}), _STORE],
    ),
    "report": Command(
        "curators' report",
        _report,
        [
            Arg("--days", {"type": int, "help": "only events of the last N days"}),
            _STORE,
            Arg("--json", {"action": "store_true"}),
        ],
    ),
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m bot", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = top.add_subparsers(dest="command", required=True)
    for name, command in COMMANDS.items():
        sub = commands.add_parser(name, help=command.help)
        for arg in command.args:
            sub.add_argument(arg.flag, **arg.options)  # type: ignore[arg-type]
        sub.set_defaults(run=command.run)
    return top


def main(argv: Sequence[str]) -> int:
    top = parser()
    args = top.parse_args(argv)
    if args.command == "serve" and args.host is not None and args.profile != "prod":
        top.error("serve --host only applies to --profile prod; the default profile listens on 127.0.0.1")
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
