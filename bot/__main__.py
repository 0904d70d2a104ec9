"""The project's command line: `python -m bot <command>` (the Makefile calls it).

build-nlp   build the spaCy pipeline (only when the vocabulary changed)
sync        rewrite the Rasa files derived from the knowledge base
check       validate the knowledge base and print each answer's reading grade
train       train the model when data or config changed (--force: always)
run         action server + Rasa shell: chat in the terminal
serve       action server + Rasa server with the REST channel, for curl
bench       NLU accuracy, latency, throughput, memory and training time
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from bot import nlp, servers, sync, training


def _serve(shell: bool, port: int, action_port: int) -> int:
    model = training.ensure_model()
    actions = servers.start_action_server(action_port)
    print(f"Action server on {actions.url}", flush=True)
    endpoints = servers.endpoints_for(actions.url)
    try:
        args = servers.rasa_args("shell" if shell else "run", model, endpoints, port)
        if not shell:
            print(f"REST channel: POST http://127.0.0.1:{port}/webhooks/rest/webhook", flush=True)
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
    for name in ("run", "serve"):
        sub = commands.add_parser(name)
        sub.add_argument("--port", type=int, default=5005)
        sub.add_argument("--action-port", type=int, default=5055)
    commands.add_parser("bench").add_argument("--messages", type=int, default=400)
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
    elif args.command in ("run", "serve"):
        return _serve(args.command == "run", args.port, args.action_port)
    elif args.command == "bench":
        from bot.bench import main as bench

        return bench(args.messages)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
