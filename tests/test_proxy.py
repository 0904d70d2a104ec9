"""The reverse proxy an operator ships (deploy/nginx-crmo.conf), tested as
shipped: Debian's nginx with a throwaway certificate in front of two Rasa
servers on the production profile (PostgreSQL, Redis, one action server).
Only the lines the file marks EDIT are changed, to this machine's ports and
paths. Through it, in Chromium: the widget's greeting, two answers, a reload
with the history kept, and a rating of the answer given before the reload;
and REST. Each Rasa server answers at least one request, and nginx logs no
message text."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
from playwright.async_api import async_playwright, expect

from actions import compose
from bot.knowledge import knowledge
from bot.paths import PROJECT
from bot.servers import free_port
from devtools.cluster import Cluster, running_cluster
from tests.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

SHIPPED = PROJECT / "deploy" / "nginx-crmo.conf"
NGINX = Path("/usr/sbin/nginx")
KB = knowledge()
WAIT_MS = 30_000
PRIVATE = "quokka"  # a word only this test's messages contain
SCREENSHOTS = ARTIFACTS / "screenshots"


def render(shipped: str, values: Dict[str, str]) -> str:
    """The shipped file with each EDIT line's value replaced (and each must be found)."""
    out = shipped
    for old, new in values.items():
        assert out.count(old) == 1, f"deploy/nginx-crmo.conf no longer has exactly one {old!r}"
        out = out.replace(old, new)
    return out


@pytest.fixture(scope="module")
def proxied(model: Path, postgres, redis, prod_env, tmp_path_factory) -> Iterator[dict]:
    if not NGINX.exists():
        pytest.fail(f"{NGINX} is missing: the proxy test needs Debian's nginx (apt-get install nginx)")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the proxy test needs Debian's Chromium (apt-get install chromium)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    work = tmp_path_factory.mktemp("nginx")
    for folder in ("logs", "tmp"):
        (work / folder).mkdir()
    key, cert = work / "privkey.pem", work / "fullchain.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    https, http = free_port(), free_port()
    origin = f"https://127.0.0.1:{https}"
    store = {**prod_env, **postgres.create_database("proxy")}
    logs = ARTIFACTS / "proxy"
    with running_cluster(model, store, count=2, log_dir=logs, env={"CRMO_WEB_ORIGINS": origin}) as cluster:
        first, second = (server.port for server in cluster.rasa)
        site = render(
            SHIPPED.read_text(),
            {
                "server 127.0.0.1:5005;": f"server 127.0.0.1:{first};",
                "server 127.0.0.1:5006;": f"server 127.0.0.1:{second};",
                "listen 80;": f"listen 127.0.0.1:{http};",
                "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
                "/etc/ssl/crmo/fullchain.pem": str(cert),
                "/etc/ssl/crmo/privkey.pem": str(key),
                "/var/log/nginx/crmo-access.log": str(work / "logs" / "access.log"),
                "root /srv/crmo/bot/web/static;": f"root {PROJECT / 'bot' / 'web' / 'static'};",
                "/srv/crmo/bot/web/node_modules/": f"{PROJECT / 'bot' / 'web' / 'node_modules'}/",
            },
        )
        (work / "crmo.conf").write_text(site)
        temp = work / "tmp"
        main = f"""
            {"user root;" if os.geteuid() == 0 else ""}
            daemon off;
            worker_processes 1;
            pid {work / "nginx.pid"};
            error_log {work / "logs" / "error.log"} warn;
            events {{ worker_connections 256; }}
            http {{
                include /etc/nginx/mime.types;
                client_body_temp_path {temp}/body;
                proxy_temp_path {temp}/proxy;
                fastcgi_temp_path {temp}/fastcgi;
                uwsgi_temp_path {temp}/uwsgi;
                scgi_temp_path {temp}/scgi;
                include {work / "crmo.conf"};
            }}
        """
        (work / "nginx.conf").write_text(main)
        check = subprocess.run([str(NGINX), "-t", "-p", str(work), "-c", str(work / "nginx.conf")], capture_output=True)
        assert check.returncode == 0, check.stderr.decode()
        nginx = subprocess.Popen(
            [str(NGINX), "-p", str(work), "-c", str(work / "nginx.conf")], stderr=subprocess.PIPE, text=True
        )
        try:
            wait_for(f"{origin}/")
            yield {"origin": origin, "http": http, "cluster": cluster, "access_log": work / "logs" / "access.log"}
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
            shutil.copytree(work / "logs", logs / "nginx", dirs_exist_ok=True)


def insecure() -> ssl.SSLContext:
    """The throwaway certificate is self-signed."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2, context=insecure()).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def rest(origin: str, sender: str, text: str) -> List[dict]:
    request = urllib.request.Request(
        f"{origin}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60, context=insecure()) as response:
        assert response.status == 200
        return json.loads(response.read())


def upstreams(access_log: Path, path_prefix: str) -> List[str]:
    """The Rasa server that answered each logged request under `path_prefix`."""
    found = []
    for line in access_log.read_text().splitlines():
        fields = line.split()
        if len(fields) > 4 and fields[3].startswith(path_prefix):
            found.append(fields[4].removeprefix("upstream="))
    return found


def test_the_widget_through_the_proxy_greets_answers_and_keeps_its_history(proxied: dict) -> None:
    asyncio.run(widget_conversation(proxied["origin"]))
    sockets = upstreams(proxied["access_log"], "/socket.io/")
    print(f"\nWebSocket connections through nginx, by Rasa server: {sockets}")
    assert len(sockets) >= 2, "the widget did not connect twice (page load and reload) through the proxy"
    assert all(s.startswith("127.0.0.1:") for s in sockets)


async def widget_conversation(origin: str) -> None:
    """Playwright's async API inside asyncio.run(): its sync API leaves an event
    loop running in the test process, which breaks later tests' asyncio.run()."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(ignore_https_errors=True)
        page = await context.new_page()
        errors: List[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        log = page.locator("#crmo-chat-log")
        bot = log.locator(".crmo-chat__msg--bot")
        try:
            await page.goto(origin + "/")
            await expect(page).to_have_title("CRMO information")
            await page.locator("#crmo-chat-launcher").click()
            # the greeting: the disclaimer, then the starter topics
            await expect(bot.filter(has_text=KB.messages["disclaimer"][:60])).to_have_count(1, timeout=WAIT_MS)
            starters = log.locator(".crmo-chat__replies").first.locator("button")
            titles = [KB.topics[t].title for t in compose.STARTER_TOPICS]
            await expect(starters).to_have_text(titles, timeout=WAIT_MS)
            # two answers
            for text, topic in ((f"what is crmo {PRIVATE}", "what_is_crmo"), ("how is it treated", "treatment")):
                await page.locator("#crmo-chat-input").fill(text)
                await page.locator("#crmo-chat-input").press("Enter")
                await expect(bot.filter(has_text=KB.topics[topic].answer[:60])).to_have_count(1, timeout=WAIT_MS)
            await expect(bot.filter(has_text=KB.messages["ask_helpful"])).to_have_count(2, timeout=WAIT_MS)
            transcript = await log.locator(".crmo-chat__msg").all_inner_texts()
            # reload: the same transcript; a new WebSocket, which the balancer may give to the other server
            await page.reload()
            await expect(log.locator(".crmo-chat__msg")).to_have_count(len(transcript))
            assert await log.locator(".crmo-chat__msg").all_inner_texts() == transcript
            await expect(page.locator(".crmo-chat[data-state=online]")).to_have_count(1, timeout=WAIT_MS)
            # rating the last answer works after the reload: the conversation lives in PostgreSQL
            await log.get_by_role("button", name="Yes, it helped").last.click()
            thanks = bot.filter(has_text=KB.messages["feedback_thanks_helpful"])
            await expect(thanks).to_have_count(1, timeout=WAIT_MS)
            await page.screenshot(path=str(SCREENSHOTS / "widget-through-nginx.png"))
            assert errors == [], errors
        finally:
            await context.close()
            await browser.close()


def test_rest_through_the_proxy_reaches_every_server(proxied: dict) -> None:
    for turn in range(4):
        replies = rest(proxied["origin"], "proxy-rest", f"what are the symptoms {PRIVATE} {turn}")
        assert any(KB.topics["symptoms"].answer[:60] in m.get("text", "") for m in replies), replies
    cluster: Cluster = proxied["cluster"]
    served = set(upstreams(proxied["access_log"], "/webhooks/")) | set(upstreams(proxied["access_log"], "/socket.io/"))
    print(f"Rasa servers that answered through nginx: {sorted(served)}")
    assert served == {f"127.0.0.1:{server.port}" for server in cluster.rasa}


def test_the_proxy_redirects_http_hides_rasas_api_and_logs_no_text(proxied: dict) -> None:
    plain = urllib.request.Request(f"http://127.0.0.1:{proxied['http']}/webhooks/rest/webhook", method="GET")
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(plain, timeout=10)
    assert redirect.value.code == 301
    assert redirect.value.headers["Location"].startswith("https://")
    for private in ("/conversations/proxy-rest/tracker", "/model/parse", "/status"):
        with pytest.raises(urllib.error.HTTPError) as hidden:
            urllib.request.urlopen(proxied["origin"] + private, timeout=10, context=insecure())
        assert hidden.value.code == 404, private
    with urllib.request.urlopen(proxied["origin"] + "/", timeout=10, context=insecure()) as page:
        body = page.read().decode()
        assert "{{RASA_URL}}" not in body
        assert re.search(r'data-server="https://127\.0\.0\.1:\d+"', body)
        assert "connect-src 'self'" in page.headers["Content-Security-Policy"]
        assert page.headers["Strict-Transport-Security"]
    assert PRIVATE not in proxied["access_log"].read_text()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
