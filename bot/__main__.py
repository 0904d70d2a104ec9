"""The project's command line: `python -m bot <command>` (the Makefile calls it).

build-nlp   build the spaCy pipeline (only when the vocabulary changed)
sync        rewrite the Rasa files derived from the knowledge base
check       validate the knowledge base and print each answer's reading grade
train       train the model when data or config changed (--force: always)
run         the assistant: chat in the terminal, and the website chat on :8080
serve       the same servers without the terminal chat (widget, REST, Slack, Telegram);
            --profile prod: one Rasa server on endpoints.prod.yml (README, "Production")
actions     the action server alone (production: one per deployment)
shell       action server + the real `rasa shell`
bench       NLU accuracy, latency, throughput, memory and training time
bench-prod  the production profile (2 Rasa servers, PostgreSQL, Redis) under 10/50/100 users
forget      delete conversations idle longer than the retention period (CRMO_RETENTION_DAYS, 30)
report      curators' report: fallbacks, out-of-scope questions, answers rated unhelpful
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bot import nlp, servers, sync, training


def _start_bot(port: int, action_port: int, web_port: int) -> tuple:
    """Action server, Rasa server with every channel, and the widget's demo page;
    the page's origin is let in unless CRMO_WEB_ORIGINS says otherwise."""
    from bot.web import server as web

    model = training.ensure_model()
    logs = Path(tempfile.mkdtemp(prefix="crmo-logs-"))
    origins = f"http://127.0.0.1:{web_port}, http://localhost:{web_port}"
    env = {"CRMO_WEB_ORIGINS": os.environ.get("CRMO_WEB_ORIGINS") or origins}
    actions = servers.start_action_server(action_port, logs / "action-server.log")
    try:
        rasa = servers.start_rasa_server(model, actions.url, port, logs / "rasa-server.log", env=env)
    except BaseException:
        actions.stop()
        raise
    page = web.start(web_port, rasa.url)
    print(f"Website chat (demo page): {page.url}/", flush=True)
    print(f"REST channel: POST {rasa.url}/webhooks/rest/webhook", flush=True)
    print(f"Logs: {logs}", flush=True)
    return actions, rasa, page


def _serve(console: bool, port: int, action_port: int, web_port: int) -> int:
    """`run`: the terminal chat (Rasa's own console) next to the website chat;
    `serve`: the servers alone, until Ctrl-C."""
    actions, rasa, page = _start_bot(port, action_port, web_port)
    try:
        if console:
            import asyncio
            import uuid

            from rasa.core.channels.console import record_messages

            print("Type your question (/stop to end).", flush=True)
            asyncio.run(record_messages(server_url=rasa.url, sender_id=uuid.uuid4().hex))
        else:
            rasa.process.wait()
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        page.stop()
        rasa.stop()
        actions.stop()


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


def _shell(port: int, action_port: int) -> int:
    """The real `rasa shell`, with the action server beside it."""
    model = training.ensure_model()
    actions = servers.start_action_server(action_port)
    try:
        actions.temporary.append(servers.endpoints_for(actions.url))
        args = servers.rasa_args("shell", model, actions.temporary[-1], port)
        return subprocess.call([sys.executable, "-m", *args], cwd=servers.PROJECT, env=servers.child_env())
    except KeyboardInterrupt:
        return 0
    finally:
        actions.stop()


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build-nlp")
    commands.add_parser("sync").add_argument("--check", action="store_true")
    commands.add_parser("check")
    commands.add_parser("train").add_argument("--force", action="store_true")
    for name in ("run", "serve", "shell"):
        sub = commands.add_parser(name)
        sub.add_argument("--port", type=int, default=5005)
        sub.add_argument("--action-port", type=int, default=5055)
        if name != "shell":
            sub.add_argument("--web-port", type=int, default=8080)
        if name == "serve":
            sub.add_argument("--profile", choices=("default", "prod"), default="default")
            sub.add_argument("--host", default=servers.LOOPBACK, help="prod: the interface to listen on")
    actions_cmd = commands.add_parser("actions")
    actions_cmd.add_argument("--port", type=int, default=5055)
    actions_cmd.add_argument("--host", default=servers.LOOPBACK)
    commands.add_parser("bench").add_argument("--messages", type=int, default=400)
    commands.add_parser("bench-prod").add_argument("--users", default="10,50,100", help="comma-separated levels")
    prod = servers.PROJECT / "endpoints.prod.yml"
    forget_cmd = commands.add_parser("forget")
    forget_cmd.add_argument("--days", type=int, help="retention period (default: $CRMO_RETENTION_DAYS, else 30)")
    forget_cmd.add_argument("--endpoints", default=prod, help="the tracker store's configuration")
    report_cmd = commands.add_parser("report")
    report_cmd.add_argument("--days", type=int, help="only events of the last N days")
    report_cmd.add_argument("--endpoints", default=prod, help="the tracker store's configuration")
    report_cmd.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    if args.command == "build-nlp":
        print("built" if nlp.build() else "up to date", nlp.PIPELINE_DIR)
    elif args.command == "sync":
        if args.check:
            stale = sync.stale()
            for path in stale:
                print(f"out of date: {path}")
            return 1 if stale else 0
        sync.write()
    elif args.command == "check":
        from bot.knowledge import knowledge
        from bot.knowledge.report import main as report

        knowledge()
        return report([])
    elif args.command == "train":
        training.ensure_model(force=args.force)
    elif args.command == "serve" and args.profile == "prod":
        return _serve_prod(args.port, args.host)
    elif args.command in ("run", "serve"):
        return _serve(args.command == "run", args.port, args.action_port, args.web_port)
    elif args.command == "actions":
        return _actions(args.port, args.host)
    elif args.command == "shell":
        return _shell(args.port, args.action_port)
    elif args.command == "bench":
        from bot.bench import main as bench

        return bench(args.messages)
    elif args.command == "bench-prod":
        from bot.load import main as load

        return load(tuple(int(n) for n in args.users.split(",")))
    elif args.command == "forget":
        from bot.retention import command as forget

        return forget(args.days, args.endpoints)
    elif args.command == "report":
        from bot.curation import command as report

        return report(args.days, args.endpoints, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
