"""The words people use for each body site, drug and age group, expanded from
entities.yml. The spaCy entity ruler, the NLU synonyms and the actions all
read this, so a word added to entities.yml is recognised everywhere."""

from __future__ import annotations

from typing import Dict, Iterator, Mapping, Optional, Tuple

from bot.knowledge import read_entities


def _plurals(form: str) -> Iterator[str]:
    yield form
    if not form.endswith("s"):
        yield form + "s"
        if form.endswith(("sh", "ch", "x")):
            yield form + "es"


def surface_forms(entities: Mapping[str, Mapping[str, list]]) -> Dict[Tuple[str, str], Tuple[str, ...]]:
    """(entity type, canonical value) -> every lower-case form that names it."""
    forms: Dict[Tuple[str, str], Tuple[str, ...]] = {}
    taken: Dict[str, Tuple[str, str]] = {}
    for etype, values in entities.items():
        for value, words in values.items():
            found = []
            for word in [value, *words]:
                for form in _plurals(word.lower()):
                    if form not in taken:
                        taken[form] = (etype, value)
                        found.append(form)
            forms[(etype, value)] = tuple(found)
    return forms


def canonical(entity_type: str, text: str) -> Optional[str]:
    """The canonical value for a word, or None when it is not in the vocabulary."""
    lookup = _lookup()
    hit = lookup.get(" ".join(str(text).lower().split()))
    return hit[1] if hit and hit[0] == entity_type else None


_LOOKUP: Dict[str, Tuple[str, str]] = {}


def _lookup() -> Dict[str, Tuple[str, str]]:
    if not _LOOKUP:
        for key, forms in surface_forms(read_entities()).items():
            _LOOKUP.update({form: key for form in forms})
    return _LOOKUP
