"""Reading-level figures for curated text, so that a parent without medical
training can follow every answer (targets: median grade 8, none above 10)."""

from __future__ import annotations

import textstat

MAX_GRADE = 10.0
MEDIAN_GRADE = 8.0
ANSWER_WORDS = (40, 150)


def grade(text: str) -> float:
    """Flesch-Kincaid grade level of `text`."""
    return float(textstat.flesch_kincaid_grade(text))


def words(text: str) -> int:
    return int(textstat.lexicon_count(text))
