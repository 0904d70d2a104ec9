"""Curators' check of topic files: validity, length and reading grade of each
answer and addition. `python -m bot.knowledge.check [topic files...]`."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.knowledge import KNOWLEDGE_DIR, KnowledgeError, _load_references, _load_topic, _read_yaml, read_entities
from bot.knowledge.readability import ANSWER_WORDS, MAX_GRADE, grade, words


def main(argv: list) -> int:
    paths = [Path(p) for p in argv] or sorted((KNOWLEDGE_DIR / "topics").glob("*.yml"))
    catalogue = _read_yaml(KNOWLEDGE_DIR / "catalogue.yml")
    refs = _load_references(KNOWLEDGE_DIR / "references.yml")
    entities = read_entities()
    failed = 0
    for path in paths:
        try:
            topic = _load_topic(path, list(catalogue["faq"]), refs, entities)
        except KnowledgeError as error:
            print(f"ERROR {error}")
            failed += 1
            continue
        texts = [("answer", topic.answer)] + [(f"addition {dict(a.when)}", a.text) for a in topic.additions]
        for label, text in texts:
            g, n = grade(text), words(text)
            bad = g > MAX_GRADE or (label == "answer" and not ANSWER_WORDS[0] <= n <= ANSWER_WORDS[1])
            failed += bad
            print(f"{'FAIL' if bad else 'ok  '} {topic.id:24} {label:40} grade {g:5.1f} words {n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
