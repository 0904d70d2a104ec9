"""Rasa's logistic-regression intent classifier with its regularisation and
class weights configurable.

Rasa's `LogisticRegressionClassifier` already does what is wanted (the
sentence features of every sparse and dense featurizer side by side, one
scikit-learn `LogisticRegression`, saved with skops), but fixes `C` at 1.0
and `class_weight` at "balanced". The sparse counts and the unit-length
sentence embedding differ in scale, so how strongly the weights are shrunk
changes what the classifier can learn from each; this subclass only makes
the two settings part of the component's config."""

from __future__ import annotations

from typing import Any, Dict

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """`LogisticRegressionClassifier` with `C` (inverse regularisation strength)
    and `class_weight` ("balanced" or null) in its config."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0, "class_weight": "balanced"}

    def __init__(
        self,
        config: Dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=self.config["C"], class_weight=self.config["class_weight"])
