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


def test_the_benchmarks_kept_previous_model_is_used_only_when_trained_from_the_same_inputs(monkeypatch, tmp_path):
    """`make bench` keeps the previous pipeline's model (most of an hour of DIET
    training) and trains it again when the data or either config changed."""
    from devtools import bench

    inputs = {"data": "today's training data"}
    monkeypatch.setattr(training, "fingerprint", lambda: inputs["data"])
    kept = (tmp_path / "previous.tar.gz", tmp_path / "previous.fingerprint", tmp_path / "previous.train-seconds")
    trained_from = bench.previous_fingerprint("pipeline: [DIETClassifier]")
    assert bench.kept_previous_seconds(trained_from, *kept) is None  # none kept yet
    kept[0].write_bytes(b"model")
    kept[1].write_text(trained_from + "\n")
    kept[2].write_text("3260.0\n")
    assert bench.kept_previous_seconds(trained_from, *kept) == 3260.0
    assert bench.kept_previous_seconds(bench.previous_fingerprint("pipeline: [other]"), *kept) is None
    inputs["data"] = "a new round of training data"
    assert bench.kept_previous_seconds(bench.previous_fingerprint("pipeline: [DIETClassifier]"), *kept) is None
