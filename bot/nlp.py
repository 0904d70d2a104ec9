"""Builds the project's own spaCy pipeline: blank English, the lookup
lemmatizer from spacy-lookups-data and an entity ruler for body sites, drugs
and age groups. spaCy's English models are not installable here for the
spaCy 3.4 that Rasa needs, and nothing may be downloaded at run time, so the
pipeline is made from the project's vocabulary and saved for Rasa's SpacyNLP."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, cast

from bot.knowledge import KNOWLEDGE_DIR, read_entities
from bot.knowledge.vocabulary import surface_forms
from bot.paths import PROJECT

if TYPE_CHECKING:
    from spacy.pipeline import EntityRuler

PIPELINE_DIR = PROJECT / "models" / "spacy-crmo"
STAMP = "source.sha256"


def source_hash() -> str:
    """Changes whenever the vocabulary or this builder changes."""
    digest = hashlib.sha256()
    for path in (KNOWLEDGE_DIR / "entities.yml", Path(__file__), KNOWLEDGE_DIR / "vocabulary.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_current(directory: Path = PIPELINE_DIR) -> bool:
    stamp = directory / STAMP
    return stamp.exists() and stamp.read_text().strip() == source_hash()


def build(directory: Path = PIPELINE_DIR) -> bool:
    """Builds the pipeline unless it is current; returns True when it was (re)built."""
    if is_current(directory):
        return False
    import spacy  # heavy: only when a build is needed

    entities = read_entities()
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = cast("EntityRuler", nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"}))
    nlp.initialize()
    ruler.add_patterns(
        [
            {"label": etype, "pattern": form, "id": value}
            for (etype, value), forms in surface_forms(entities).items()
            for form in forms
        ]
    )
    nlp.meta["name"] = "crmo_en"
    nlp.meta["description"] = "Blank English + lookup lemmatizer + CRMO entity ruler"
    directory.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(directory)
    (directory / STAMP).write_text(source_hash())
    return True
