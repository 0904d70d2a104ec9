"""The model is trained again only when what it is trained from has changed."""

from __future__ import annotations

import pytest
import yaml

from bot import paths, training

pytestmark = pytest.mark.unit


def test_an_input_edited_during_training_makes_the_next_call_train_again(monkeypatch, tmp_path):
    inputs = {"data": "as training read it"}
    monkeypatch.setattr(training, "fingerprint", lambda: inputs["data"])
    monkeypatch.setattr(training, "MODEL", tmp_path / "crmo.tar.gz")
    monkeypatch.setattr(training, "FINGERPRINT", tmp_path / "crmo.fingerprint")
    monkeypatch.setattr(training, "TRAIN_SECONDS", tmp_path / "crmo.train-seconds")
    monkeypatch.setattr(training.sync, "stale", lambda: [])
    monkeypatch.setattr(training.nlp, "build", lambda: None)

    def training_while_a_file_is_edited(*args, **kwargs):  # the real one takes minutes
        training.MODEL.write_bytes(b"model")
        inputs["data"] = "edited while it ran"

    monkeypatch.setattr(training.subprocess, "run", training_while_a_file_is_edited)
    training.ensure_model(force=True)
    assert not training.is_current()


def test_every_project_module_config_yml_names_is_trained_from():
    """A change to the code of a component or policy of config.yml trains the model again."""
    config = yaml.safe_load(paths.CONFIG.read_text())
    named = {step["name"] for step in config["pipeline"] + config["policies"]}
    modules = {name.rsplit(".", 1)[0] for name in named if name.startswith("bot.")}
    modules.remove("bot.rasa_ext.runtime")  # RasaFixes: installs bot/rasa_ext's fixes, changes no message
    assert "bot.rasa_ext.rule_policy" in modules
    files = set(training.trained_from())
    for module in modules:
        assert paths.PROJECT.joinpath(*module.split(".")).with_suffix(".py") in files, module
