"""Plain language: every answer and addition is readable by a parent without
medical training (Flesch-Kincaid grade, computed with textstat)."""

from __future__ import annotations

import statistics

import pytest

from bot.knowledge import knowledge
from bot.knowledge.readability import ANSWER_WORDS, MAX_GRADE, MEDIAN_GRADE, grade, words

TOPICS = list(knowledge().topics.values())


def test_reading_grades_of_the_answers(capsys):
    grades = {t.id: grade(t.answer) for t in TOPICS}
    median = statistics.median(grades.values())
    with capsys.disabled():
        print(
            f"\nFlesch-Kincaid grade of the {len(grades)} answers: median {median:.1f}, "
            f"lowest {min(grades.values()):.1f}, highest {max(grades.values()):.1f}"
        )
    assert median <= MEDIAN_GRADE
    assert max(grades.values()) <= MAX_GRADE, {k: v for k, v in grades.items() if v > MAX_GRADE}


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_answer_length_and_additions_grade(topic):
    assert ANSWER_WORDS[0] <= words(topic.answer) <= ANSWER_WORDS[1]
    for addition in topic.additions:
        assert grade(addition.text) <= MAX_GRADE, addition.text


def test_safety_messages_are_plain_too():
    messages = knowledge().messages
    for key in ("consult", "disclaimer", "urgent", "personal_advice", "fallback", "out_of_scope"):
        assert grade(messages[key]) <= MAX_GRADE, key
