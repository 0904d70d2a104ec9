"""The channel forms of one answer (bot/channels/render.py)."""

from __future__ import annotations

import re

from bot.channels.render import TELEGRAM_LIMIT, plain, render_message, slack, telegram, telegram_parts, web

ANSWER = (
    "Some <b>bold</b> & true words.\n"
    "Sources: [Koryllou A et al., Children (Basel) 2021](https://pubmed.ncbi.nlm.nih.gov/34202154/); "
    "see https://doi.org/10.1/x\n"
    "Please talk to your doctor."
)


def test_plain_shows_full_urls():
    text = plain(ANSWER)
    assert "Koryllou A et al., Children (Basel) 2021: https://pubmed.ncbi.nlm.nih.gov/34202154/;" in text
    assert "](" not in text and "<b>bold</b>" in text


def test_web_keeps_the_markdown_for_the_widget():
    assert web(ANSWER) == ANSWER


def test_slack_uses_its_link_syntax_and_escapes_markup():
    text = slack(ANSWER)
    assert "<https://pubmed.ncbi.nlm.nih.gov/34202154/|Koryllou A et al., Children (Basel) 2021>" in text
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; true" in text


def test_slack_label_cannot_break_the_link():
    assert slack("[a|b>c](https://x.org/)") == "<https://x.org/|a/b&gt;c>"


def test_telegram_html_escapes_text_and_links():
    text = telegram(ANSWER + ' [x"y](https://e.org/?a=1&b=2)')
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/34202154/">Koryllou A et al., Children (Basel) 2021</a>' in text
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; true" in text
    assert '<a href="https://e.org/?a=1&amp;b=2">x"y</a>' in text


def test_only_http_links_are_links():
    for style in (plain, slack, telegram):
        assert "javascript" in style("[x](javascript:alert(1))")
        assert "href" not in style("[x](javascript:alert(1))") and "|x>" not in style("[x](javascript:alert(1))")


def test_telegram_parts_fit_the_limit_and_keep_links_whole():
    line = "[Koryllou A et al., Children (Basel) 2021](https://pubmed.ncbi.nlm.nih.gov/34202154/) and more words. "
    text = "\n".join([line * 3] * 40) + "\n" + "word " * 2000 + "\n" + "x" * 5000
    parts = telegram_parts(text)
    assert len(parts) > 3 and all(len(p) <= TELEGRAM_LIMIT for p in parts)
    joined = "".join(parts)
    assert joined.count("<a href=") == joined.count("</a>") == 120
    for part in parts:
        assert part.count("<a href=") == part.count("</a>")
    assert re.sub(r"\s", "", joined).count("x" * 5000) == 1


def test_a_short_answer_is_one_telegram_message():
    assert telegram_parts(ANSWER) == [telegram(ANSWER)]


def test_render_message_leaves_the_original_alone():
    message = {"text": ANSWER, "buttons": [{"title": "t", "payload": "/p"}]}
    rendered = render_message(message, "plain")
    assert message["text"] == ANSWER and rendered["buttons"] == message["buttons"]
    assert "https://pubmed" in rendered["text"] and "](" not in rendered["text"]
