"""A message that is only an e-mail address ("anna@example.org", "my email is
anna@example.org"): the family is answering "Ask the team", which asked for an
address if they want a reply. The classifier learns `give_email` from examples
too, but an address looks like no sentence (the fallback or the language guard
could take it for noise or another language), so it is decided here, after
every other component, and the address is read exactly: the intent becomes
`give_email`, and the address an `email` entity for the action
that validates and stores it, only when a question is waiting with consent."""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu import EMAIL_ENTITY, GIVE_EMAIL
from bot.nlu.message_marks import add_entity, put_intent_first

# "my e-mail is", "email:", "it's" before the address; a full stop after it.
LEAD_IN = re.compile(
    r"^(?:(?:my|the|this|one|its|use|at|to|me|reply|contact|here(?:'s|\s+is)|it(?:'s|\s+is))\s+)*"
    r"(?:e-?mail(?:\s+address)?|mail|address)?\s*(?:is|:)?\s*",
    re.I,
)
ADDRESS = re.compile(r"\S+@\S+")


def typed_address(text: str) -> str:
    """The address-like word if the message is only an address (with a lead-in), else ""."""
    rest = LEAD_IN.sub("", text.strip(), count=1).rstrip(".! ")
    return rest if ADDRESS.fullmatch(rest) else ""


def mark(message: Message) -> bool:
    """`give_email` with the address as an entity; other whole-message marks
    (the language guard's) do not apply to an address. True if marked."""
    text = message.get(TEXT) or ""
    if text.startswith("/"):
        return False
    address = typed_address(text)
    if not address:
        return False
    kept = [e for e in message.get(ENTITIES) or [] if e.get("extractor") != "LanguageGuard"]
    message.set(ENTITIES, kept, add_to_output=True)
    add_entity(message, EMAIL_ENTITY, address, "ContactAddress")
    put_intent_first(message, GIVE_EMAIL)
    return True


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ContactAddress(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ContactAddress:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            mark(message)
        return messages
