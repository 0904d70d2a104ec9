"""The dashboard's HTML: a login form, and the page of one period.

Charts are SVG drawn here, on the server: nothing to download, nothing to run in
the browser, and the page works with scripts off. Each chart is an image with a
title and a description for screen readers, and its data follows as a table,
so that nothing is only in a picture. Every text that came from a family or a
curator is escaped."""

from __future__ import annotations

from html import escape
from typing import List, Optional, Sequence, Tuple

from bot.dashboard.stats import Dashboard, Day, Unanswered
from bot.retention import utc
from bot.team_questions import TeamQuestion

TITLE = "CRMO assistant: curators' dashboard"
BAR_COLOURS = ("#1d5a85", "#b4540a")  # both at least 4.5:1 on white


def _document(body: str, title: str = TITLE) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        '<link rel="stylesheet" href="dashboard.css">\n</head>\n<body>\n'
        f"{body}\n</body>\n</html>\n"
    )


def login(error: Optional[str] = None) -> str:
    problem = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return _document(
        f"""<main class="login">
<h1>Curators' dashboard</h1>
<p>This page shows what families asked the CRMO assistant, including their
messages and any e-mail address they gave with a question for the team.
Only curators may see it.</p>
{problem}
<form method="post" action="login">
<label for="token">Curator token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>
</main>""",
        title="Log in: curators' dashboard",
    )


# Charts are drawn 400 units wide and shown at most 36rem wide: text of 16
# units is about 13 px on a 360 px phone and never huge on a desktop.
CHART_WIDTH = 400


def _day_chart(days: Sequence[Day]) -> str:
    """Conversations and messages per day: two bars a day, on one scale."""
    width, height, left, bottom, top = CHART_WIDTH, 220, 34, 26, 12
    peak = max([d.messages for d in days] + [d.conversations for d in days] + [1])
    slot = (width - left) / max(len(days), 1)
    bar = max(slot / 2 - 0.5, 0.5)
    plot = height - bottom - top
    parts = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" class="axis"/>',
        f'<text x="{left - 4}" y="{top + 5}" class="tick" text-anchor="end">{peak}</text>',
        f'<text x="{left - 4}" y="{height - bottom}" class="tick" text-anchor="end">0</text>',
    ]
    for n, day in enumerate(days):
        x = left + n * slot
        for k, value in enumerate((day.conversations, day.messages)):
            h = plot * value / peak
            parts.append(
                f'<rect x="{x + k * (bar + 0.5):.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{BAR_COLOURS[k]}"/>'
            )
    first, last = days[0].day.isoformat(), days[-1].day.isoformat()
    parts.append(f'<text x="{left}" y="{height - 6}" class="tick">{first}</text>')
    parts.append(f'<text x="{width}" y="{height - 6}" class="tick" text-anchor="end">{last}</text>')
    total_c = sum(d.conversations for d in days)
    total_m = sum(d.messages for d in days)
    return _svg(
        "chart-days",
        "Conversations and messages per day",
        f"{total_c} conversation-days and {total_m} messages from {first} to {last}; the table below has each day.",
        width,
        height,
        "".join(parts),
    )


def _bar_chart(chart_id: str, title: str, rows: Sequence[Tuple[str, int]], colour: str = BAR_COLOURS[0]) -> str:
    """Horizontal bars, most first, each under its label (long topic titles fit a phone)."""
    if not rows:
        return ""
    line, width = 44, CHART_WIDTH
    height = line * len(rows)
    peak = max(count for _, count in rows) or 1
    parts = []
    for n, (label, count) in enumerate(rows):
        y = n * line
        w = (width - 40) * count / peak
        short = label if len(label) <= 44 else label[:43] + "…"
        parts.append(f'<text x="0" y="{y + 16}" class="label">{escape(short)}</text>')
        parts.append(f'<rect x="0" y="{y + 22}" width="{w:.1f}" height="14" fill="{colour}"/>')
        parts.append(f'<text x="{w + 5:.1f}" y="{y + 34}" class="value">{count}</text>')
    described = "; ".join(f"{label}: {count}" for label, count in rows)
    return _svg(chart_id, title, described, width, height, "".join(parts))


def _svg(chart_id: str, title: str, description: str, width: int, height: int, inner: str) -> str:
    return (
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>{inner}</svg>'
    )


def _table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> str:
    if not rows:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"  # cells arrive escaped
        for row in rows
    )
    return (
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(caption)}">'
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def _days_section(data: Dashboard) -> str:
    rows = [(d.day.isoformat(), str(d.conversations), str(d.messages)) for d in data.days if d.messages]
    legend = (
        '<ul class="legend"><li><span class="swatch swatch-1"></span>conversations</li>'
        '<li><span class="swatch swatch-2"></span>messages</li></ul>'
    )
    return (
        '<section aria-labelledby="h-days" id="days"><h2 id="h-days">Conversations and messages per day</h2>'
        f"<figure>{_day_chart(data.days)}{legend}</figure>"
        + _table(
            "Conversations and messages per day (days with messages)",
            ("Day", "Conversations", "Messages"),
            rows,
            "No messages in this period.",
        )
        + "</section>"
    )


def _unanswered_section(groups: List[Unanswered]) -> str:
    rows = [
        (
            escape(g.kind),
            escape(g.topic),
            str(g.count),
            "<ul>" + "".join(f"<li>{escape(e) or '(empty)'}</li>" for e in g.examples) + "</ul>",
        )
        for g in groups
    ]
    return (
        '<section aria-labelledby="h-unanswered" id="unanswered">'
        '<h2 id="h-unanswered">Questions not answered</h2>'
        "<p>Messages that fell back (not understood well enough) or were out of scope, "
        "grouped by the topic the assistant thought closest.</p>"
        + _table(
            "Questions not answered, by closest topic",
            ("What happened", "Closest topic", "Messages", "Examples"),
            rows,
            "No question fell back or was out of scope in this period.",
        )
        + "</section>"
    )


def _count_section(section_id: str, heading: str, rows: Sequence[Tuple[str, int]], colour: str, empty: str) -> str:
    return (
        f'<section aria-labelledby="h-{section_id}" id="{section_id}"><h2 id="h-{section_id}">{escape(heading)}</h2>'
        f"<figure>{_bar_chart('chart-' + section_id, heading, rows, colour)}</figure>"
        + _table(heading, ("Topic", "Count"), [(escape(t), str(n)) for t, n in rows], empty)
        + "</section>"
    )


def _question_row(question: TeamQuestion) -> Tuple[str, ...]:
    if question.answered_at is not None:
        status = f"answered {escape(utc(question.answered_at))}"
    else:
        status = (
            f'<form method="post" action="questions/{question.id}/answered">'
            f'<button type="submit">Mark answered<span class="visually-hidden"> (question {question.id})'
            "</span></button></form>"
        )
    email = f'<a href="mailto:{escape(question.email)}">{escape(question.email)}</a>' if question.email else "none"
    return (escape(utc(question.asked_at)), escape(question.question), email, status)


def _questions_section(data: Dashboard) -> str:
    waiting = len(data.open_questions)
    return (
        '<section aria-labelledby="h-team" id="team"><h2 id="h-team">Questions for the team</h2>'
        f"<p>{waiting} open, {len(data.questions) - waiting} answered. Reply to those with an e-mail address; "
        "a reply is general information, never medical advice.</p>"
        + _table(
            "Questions for the team, open first",
            ("Asked", "Question", "E-mail", "Status"),
            [_question_row(q) for q in data.questions],
            "No question for the team in this period.",
        )
        + "</section>"
    )


def dashboard(data: Dashboard, notice: Optional[str] = None) -> str:
    period = data.period
    share = f"{data.red_flag_share:.0%}"
    flash = f'<p class="notice" role="status">{escape(notice)}</p>' if notice else ""
    summary = (
        '<section aria-labelledby="h-summary" id="summary"><h2 id="h-summary">Summary</h2><dl class="figures">'
        f"<div><dt>Conversations</dt><dd>{data.conversations}</dd></div>"
        f"<div><dt>Messages</dt><dd>{sum(d.messages for d in data.days)}</dd></div>"
        f"<div><dt>Reached a red flag</dt><dd>{data.red_flag_conversations} ({share})</dd></div>"
        f"<div><dt>Open questions for the team</dt><dd>{len(data.open_questions)}</dd></div>"
        "</dl></section>"
    )
    body = f"""<header class="top">
<h1>Curators' dashboard</h1>
<form method="post" action="logout"><button type="submit">Log out</button></form>
</header>
<main>
{flash}
<form method="get" action="./" class="period">
<label for="from">First day</label>
<input id="from" name="from" type="date" value="{period.first.isoformat()}">
<label for="to">Last day</label>
<input id="to" name="to" type="date" value="{period.last.isoformat()}">
<button type="submit">Show</button>
</form>
<p class="scope">From {period.first.isoformat()} to {period.last.isoformat()} (UTC).</p>
{summary}
{_days_section(data)}
{_unanswered_section(data.unanswered)}
{_count_section("unhelpful", "Answers rated unhelpful, per topic", data.unhelpful, BAR_COLOURS[1],
                "No answer was rated unhelpful in this period.")}
{_count_section("topics", "Most asked topics", data.topics, BAR_COLOURS[0], "No topic was answered in this period.")}
{_questions_section(data)}
</main>"""
    return _document(body)
