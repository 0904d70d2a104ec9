"""Reading-level figures for curated text, so that a parent without medical
training can follow every answer. English: the Flesch-Kincaid grade (targets:
median grade 8, none above 10). German: the Wiener Sachtextformel, variant 1
(Bamberger and Vanecek's index for German non-fiction, read as a school year
from 4 to 15; targets: median 8, none above 11)."""

from __future__ import annotations

import textstat
from textstat.textstat import textstatistics

MAX_GRADE = 10.0
MEDIAN_GRADE = 8.0
ANSWER_WORDS = (40, 150)
MAX_GERMAN_INDEX = 11.0
MEDIAN_GERMAN_INDEX = 8.0

# Its own instance: textstat's language (which syllable rules it uses) is
# per instance, and the module-level one stays English.
_german = textstatistics()
_german.set_lang("de")


def grade(text: str) -> float:
    """Flesch-Kincaid grade level of `text`."""
    return float(textstat.flesch_kincaid_grade(text))


def words(text: str) -> int:
    return int(textstat.lexicon_count(text))


def german_index(text: str) -> float:
    """Wiener Sachtextformel (variant 1) of a German `text`."""
    return float(_german.wiener_sachtextformel(text, 1))
