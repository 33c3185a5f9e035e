"""Transfer learning (lessons 04 and 05): a frozen convolutional base, a new head, cached features.

    cifar_base          lesson 01's trained CNN cut before its classifier: a base pretrained here
                        on CIFAR-10 (the offline stand-in for an ImageNet base)
    scratch_base        the same architecture with fresh random weights (the from-scratch control)
    frozen_classifier   base (frozen, called with training=False) + pooling + dropout + Dense head
    feature_model       images -> preprocessing -> frozen base -> pooled features
    extract_features    run it once over a dataset (batched), keep the features
    make_head           the new classifier, trained on cached features
    stack               feature model + head: one model taking images
    unfreeze_top        make the top layers of a base trainable, BatchNorm kept frozen
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from keras import layers


def cifar_base(trained: keras.Model, name: str = "cifar10_base") -> keras.Model:
    """The convolutional base of lesson 01's bigger CNN: every layer before ``Flatten``.

    Its input is a 32x32x3 image scaled to [0, 1]; its output the last block's 4x4x128 feature
    maps. The augmentation layers at its start do nothing at inference (``training=False``).
    The classifier (``Flatten``, the Dense layers) is left behind: it was made for CIFAR-10's
    ten classes, while the convolutional filters (edges, textures, fur, eyes) transfer.
    """
    flatten = next(layer for layer in trained.layers if isinstance(layer, layers.Flatten))
    return keras.Model(trained.inputs, flatten.input, name=name)


def scratch_base(architecture: keras.Model, name: str = "scratch_base") -> keras.Model:
    """The same base with fresh random weights (``architecture`` is an untrained bigger CNN)."""
    return cifar_base(architecture, name=name)


def classifier_head(inputs, num_classes: int, dropout: float = 0.3, name: str = "head"):
    """Global average pooling, dropout, and one Dense layer: 1 sigmoid unit for two classes."""
    x = layers.GlobalAveragePooling2D(name=f"{name}_pool")(inputs) if len(inputs.shape) == 4 else inputs
    x = layers.Dropout(dropout, name=f"{name}_dropout")(x)
    if num_classes == 2:
        return layers.Dense(1, activation="sigmoid", name=f"{name}_output")(x)
    return layers.Dense(num_classes, activation="softmax", name=f"{name}_output")(x)


def frozen_classifier(base: keras.Model, num_classes: int, input_size: tuple[int, int],
                      preprocess=None, augmentation: keras.Model | None = None,
                      trainable_base: bool = False, base_training: bool | None = False,
                      name: str = "transfer") -> keras.Model:
    """``inputs (0..255) -> [augmentation] -> preprocess -> base(training=False) -> head``.

    ``base.trainable = trainable_base``: False freezes every weight of the base. Calling it with
    ``training=False`` keeps its BatchNorm layers in inference mode even if it is unfrozen later
    for fine-tuning, so their moving statistics are not wrecked by small batches of new images.
    A network trained from scratch needs its BatchNorm to learn: pass ``trainable_base=True``
    and ``base_training=None`` (Keras then sets training mode while fitting).
    """
    base.trainable = trainable_base
    inputs = keras.Input((*input_size, 3), name="image")
    x = augmentation(inputs) if augmentation is not None else inputs
    x = preprocess(x) if preprocess is not None else layers.Rescaling(1 / 255, name="to_unit_range")(x)
    features = base(x, training=base_training)
    return keras.Model(inputs, classifier_head(features, num_classes), name=name)


def feature_model(base: keras.Model, input_size: tuple[int, int], preprocess=None) -> keras.Model:
    """``inputs (0..255) -> preprocess -> base -> global average pooling``: what the head sees."""
    inputs = keras.Input((*input_size, 3), name="image")
    x = preprocess(inputs) if preprocess is not None else layers.Rescaling(1 / 255)(inputs)
    features = layers.GlobalAveragePooling2D(name="pool")(base(x, training=False))
    return keras.Model(inputs, features, name=f"{base.name}_features")


def extract_features(model: keras.Model, dataset: tf.data.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Run ``model`` once over a batched (images, labels) dataset; return (features, labels)."""
    features, labels = [], []
    for images, batch_labels in dataset:
        features.append(model(images, training=False).numpy())
        labels.append(batch_labels.numpy())
    return np.concatenate(features), np.concatenate(labels)


def make_head(train_features: np.ndarray, num_classes: int, dropout: float = 0.3,
              l2: float = 1e-3, name: str = "head") -> keras.Model:
    """The new classifier: standardise each feature, dropout, one Dense layer (L2-regularised).

    ``Normalization`` is adapted to the training features (mean 0, variance 1 per feature): the
    base's pooled activations have very different scales, and a linear layer learns much faster
    on standardised inputs. It holds statistics, not trained weights.
    """
    inputs = keras.Input(train_features.shape[1:], name="features")
    normalize = layers.Normalization(name=f"{name}_standardize")
    normalize.adapt(train_features)
    x = layers.Dropout(dropout, name=f"{name}_dropout")(normalize(inputs))
    units, activation = (1, "sigmoid") if num_classes == 2 else (num_classes, "softmax")
    dense = layers.Dense(units, activation=activation, kernel_regularizer=keras.regularizers.l2(l2),
                         name=f"{name}_output")
    return keras.Model(inputs, dense(x), name=name)


def stack(features: keras.Model, head: keras.Model, name: str = "transfer") -> keras.Model:
    """Images -> frozen base features -> head: one model that takes images end to end."""
    features.trainable = False
    inputs = keras.Input(features.input_shape[1:], name="image")
    return keras.Model(inputs, head(features(inputs, training=False)), name=name)


def unfreeze_top(base: keras.Model, n_trainable: int) -> int:
    """Make the top ``n_trainable`` layers of ``base`` trainable (BatchNorm stays frozen).

    Returns how many layers are trainable. The rest, and every ``BatchNormalization`` layer,
    stay frozen: fine-tuning moves only the most task-specific filters, gently.
    """
    base.trainable = True
    cut = max(len(base.layers) - n_trainable, 0)
    for i, layer in enumerate(base.layers):
        layer.trainable = i >= cut and not isinstance(layer, layers.BatchNormalization)
    return sum(layer.trainable for layer in base.layers)


def binary_accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Accuracy of sigmoid outputs (threshold 0.5) against 0/1 labels."""
    return float(np.mean((np.ravel(probabilities) > 0.5) == np.ravel(labels)))


# --- Which pretrained base: ImageNet's (learners) or one pretrained here on CIFAR-10 (offline) ---

@dataclass
class Base:
    """A convolutional base and what belongs to it."""

    model: keras.Model        # images (preprocessed) -> feature maps
    input_size: tuple[int, int]
    preprocess: keras.Layer   # 0..255 pixels -> what the base was trained on
    label: str                # how every result names the base
    imagenet: bool            # real ImageNet weights?


#: Keras's ``preprocess_input`` of these models, as a layer (mode "tf": pixels to [-1, 1]).
_TO_SIGNED_UNIT = ("mobilenet_v2", "nasnet_mobile")


def imagenet_base(name: str = "mobilenet_v2") -> Base:
    """``name``'s ImageNet convolutional base with its real weights.

    Raises:
        AssetUnavailableError: the weights cannot be had here (the message says what to do).
    """
    from .pretrained import pretrained

    found = pretrained(name, include_top=False, allow_standin=False)
    preprocess = (layers.Rescaling(1 / 127.5, offset=-1, name="preprocess") if name in _TO_SIGNED_UNIT
                  else layers.Identity(name="preprocess"))  # EfficientNet rescales inside
    return Base(found.model, found.input_size, preprocess, f"{found.title}, pretrained on ImageNet", True)


def cifar10_base(train_samples: int | None, epochs: int, batch_size: int = 64) -> Base:
    """Lesson 01's bigger CNN, trained on real CIFAR-10 (loaded if lesson 01 saved it), cut at its base."""
    from ..datasets import load_cifar10
    from .cifar import load_or_train

    data = load_cifar10(train_samples, 2000, allow_standin=False)
    trained, card = load_or_train(data, epochs, batch_size)
    label = "CIFAR-10 CNN: base pretrained here on CIFAR-10, not ImageNet"
    print("!" * 88 + "\n"
          "NOT IMAGENET. The base is lesson 01's CNN, pretrained here on CIFAR-10\n"
          f"({card['train_images']:,} images, 32x32, test accuracy {card['test_accuracy']:.3f}): a real pretrained\n"
          "base, much smaller than ImageNet's. Images are shrunk to 32x32 for it. The accuracy\n"
          "targets of the ImageNet path are NOT checked; the transfer effect is measured.\n"
          + "!" * 88)
    return Base(cifar_base(trained), (32, 32), layers.Rescaling(1 / 255, name="preprocess"), label, False)


def choose_base(imagenet_name: str, cifar_train_samples: int | None, cifar_epochs: int,
                allow_standin: bool | None = None) -> Base:
    """The ImageNet base when its real weights are here, else (fast profile only) lesson 01's CIFAR-10 base.

    ``allow_standin`` defaults to True in the fast profile only: in the full profile missing
    weights raise the asset layer's error, so no stand-in's number passes for the real lesson's.
    """
    from ..assets.fetch import AssetUnavailableError
    from ..profiles import standin_allowed

    try:
        return imagenet_base(imagenet_name)
    except AssetUnavailableError as missing:
        if not standin_allowed(allow_standin):
            raise
        print(f"{imagenet_name}: ImageNet weights not available here ({str(missing).splitlines()[0]})")
    return cifar10_base(cifar_train_samples, cifar_epochs)


def scratch_copy(base: Base, num_classes: int, dropout: float = 0.3,
                 bn_momentum: float = 0.9) -> keras.Model:
    """The same network as ``base`` + head, with fresh random weights, all trainable.

    ``bn_momentum``: batch normalization's moving averages follow the batch statistics faster
    than Keras's default (0.99), which lags far behind on small datasets of a few dozen batches
    per epoch and would make a model trained from scratch look untrained at validation.
    """
    fresh = keras.models.clone_model(base.model)  # same layers, newly initialised weights
    fresh.trainable = True
    for layer in fresh.layers:
        layer.trainable = True  # the clone copies each layer's config, frozen flag included
        if isinstance(layer, layers.BatchNormalization):
            layer.momentum = bn_momentum
    inputs = keras.Input((*base.input_size, 3), name="image")
    x = fresh(base.preprocess(inputs))  # training mode while fitting: batch norm learns
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(dropout)(x)
    units, activation = (1, "sigmoid") if num_classes == 2 else (num_classes, "softmax")
    return keras.Model(inputs, layers.Dense(units, activation=activation)(x), name="from_scratch")
