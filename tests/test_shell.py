"""The README's run command in a real pseudo-terminal: `python -m bot run`
(what `make run` calls after set-up) opens the Rasa shell, which answers
"what is crmo" with a cited answer and the consult urge; Ctrl-C stops both
the shell and the action server it started."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pexpect

from bot import servers
from bot.knowledge import knowledge
from tests.conftest import ARTIFACTS, PROJECT


def test_the_run_command_answers_in_the_rasa_shell(model: Path):
    port, action_port = servers.free_port(), servers.free_port()
    (ARTIFACTS / "logs").mkdir(parents=True, exist_ok=True)
    with open(ARTIFACTS / "logs" / "shell.log", "w") as log:
        shell = pexpect.spawn(
            sys.executable,
            ["-m", "bot", "run", "--port", str(port), "--action-port", str(action_port)],
            cwd=str(PROJECT),
            env=servers.child_env(),
            encoding="utf-8",
            timeout=240,
            dimensions=(50, 200),
        )
        shell.logfile_read = log
        try:
            shell.expect("Your input ->")
            shell.sendline("what is crmo")
            shell.expect(re.escape(knowledge().messages["consult"]), timeout=60)
            answer = shell.before
            assert "CRMO stands for chronic recurrent multifocal osteomyelitis" in answer
            assert "https://pubmed.ncbi.nlm.nih.gov/34202154/" in answer
            shell.expect("Was this answer helpful")
        finally:
            # Ctrl-C at Rasa's button prompt only cancels the prompt; a second one
            # stops the shell, as it would for a person at the keyboard.
            for _ in range(3):
                shell.sendintr()
                if shell.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=20) == 0:
                    break
            shell.close(force=True)
    assert not port_in_use(action_port), "the action server outlived the shell"


def port_in_use(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
