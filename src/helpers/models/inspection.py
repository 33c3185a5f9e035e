"""Measuring a Keras model the way Keras's applications table does (lesson 02): depth, a text
listing of its layers, and the size of its weights on disk."""

from __future__ import annotations

import tempfile
from pathlib import Path

import keras


def layers_with_weights(model: keras.Model) -> int:
    """The model's depth as Keras's applications table counts it: layers that hold weights."""
    return sum(1 for layer in _all_layers(model) if layer.weights)


def _all_layers(model: keras.Model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)
        else:
            yield layer


def layer_listing(model: keras.Model, first: int | None = None) -> str:
    """One line per layer: name, type, output shape, parameters and the layers it reads from.

    What ``keras.utils.plot_model`` draws, as text, for machines without pydot and Graphviz.
    """
    lines = []
    for layer in model.layers[:first]:
        nodes = layer._inbound_nodes  # Keras 3 has no public accessor for a layer's inputs
        sources = [parent.operation.name for parent in nodes[0].parent_nodes] if nodes else []
        lines.append(f"{layer.name:22} {type(layer).__name__:18} {str(layer.output.shape):20} "
                     f"{layer.count_params():>7,}  <- {', '.join(sources) or '-'}")
    return "\n".join(lines)


def weights_file_mb(model: keras.Model) -> float:
    """The size in MB (2^20 bytes, as Keras's table counts) of the model saved as ``.weights.h5``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.weights.h5"
        model.save_weights(path)
        return path.stat().st_size / 2**20
