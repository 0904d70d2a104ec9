"""Recognises a message that describes red-flag symptoms happening now, so that
the "seek care now" reply comes before anything else, whatever the intent."""

from __future__ import annotations

import re

_FLAGS = [
    # fever of 39-41 C or 102-106 F, or said in words
    r"\b(?:39|40|41)(?:[.,]\d)?\s*(?:°|º|degrees?|deg)?\s*c?\b(?!\s*(?:year|kg|cm|mg|min|day|week|%))",
    r"\b10[2-6](?:\.\d)?\s*(?:°|º|degrees?|deg)?\s*f\b",
    r"\b(?:high|very high|raging|spiking) (?:fever|temperature|temp)\b",
    # cannot walk or bear weight
    r"\b(?:can ?not|can'?t|cant|unable to|won'?t|wont|refus\w* to|stopped|not able to|isn'?t)\s+"
    r"(?:walk|walking|stand|standing|bear weight|put (?:any )?weight|weight ?bear)",
    r"\b(?:can'?t|cannot|can not|unable to) (?:move|feel) (?:his|her|their|my|the|our)?\s*(?:legs?|arms?|feet|hands?)",
    # numbness, weakness, paralysis
    r"\bnumb(?:ness)?\b",
    r"\btingl\w*|\bpins and needles\b",
    r"\bweak(?:ness)?\b.{0,25}\b(?:legs?|arms?|hands?|feet)\b|\b(?:legs?|arms?)\b.{0,15}\bweak\b",
    r"\bparaly[sz]\w*",
    # bladder or bowel control
    r"\b(?:lost|losing|loss of|no|lose|can'?t)\s+(?:\w+\s+)?control\b.{0,25}\b(?:bladder|bowels?|pee|poo|wee)",
    r"\bincontinen\w*",
    r"\b(?:wet|wetting|soiled|soiling) (?:him|her|them|my|your)sel(?:f|ves)\b",
    # sudden, severe pain
    r"\b(?:sudden(?:ly)?|severe|excruciating|unbearable|extreme|agoni[sz]ing|worst|terrible)\b.{0,20}\bpain\b",
    r"\bpain\b.{0,20}\b(?:unbearable|excruciating|agoni[sz]ing|out of control)\b",
    r"\bscream\w* (?:in|with|from) pain\b",
]
_RED_FLAG = re.compile("|".join(f"(?:{p})" for p in _FLAGS), re.IGNORECASE)

# Someone describing what is happening to them or their child, not asking in
# general ("can CRMO cause numbness?" is a question, "her legs are numb" is not).
_PERSONAL = re.compile(
    r"\b(?:my|our|he|she|his|her|him|i|i'm|im|we|we're|they're|son|daughter|kid|baby|toddler)\b", re.IGNORECASE
)


def mentions_red_flag(text: str) -> bool:
    return bool(_RED_FLAG.search(text or ""))


def describes_red_flag(text: str) -> bool:
    """A red flag told about a person, as opposed to a general question."""
    return mentions_red_flag(text) and bool(_PERSONAL.search(text or ""))
