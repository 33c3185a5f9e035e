"""Lesson 04's exercise checks (transfer learning, cats vs dogs).

Each check computes the right answer itself (counting the model's weights, evaluating the
learner's model on held-out images), prints a verdict and returns True or False.
"""

from __future__ import annotations

import numpy as np

from .core import verdict


def trainable_parameters(model) -> int:
    """The number of weights training updates: the sizes of the model's trainable variables."""
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def check_trainable_parameters(answer: int | None, model) -> bool:
    """Exercise 1: how many weights does training update in the frozen-base model ``model``?"""
    return verdict(answer, trainable_parameters(model), "the number of trainable weights",
                   "the base is frozen, so only the new head trains: one weight per feature "
                   "the head receives, plus one bias (Normalization's mean and variance are "
                   "statistics, not trained).")


def check_own_cnn(model, validation, transfer_accuracy: float, chance: float = 0.5,
                  margin: float = 0.05) -> bool:
    """Exercise 2: a small CNN of your own, trained on the same images, measured against transfer.

    ``validation`` is the held-out ``tf.data.Dataset`` of (images, labels). The check evaluates
    ``model`` itself. It passes when the model is a trained two-class classifier (one sigmoid
    output, accuracy at least ``margin`` above chance); the verdict gives the measured gap.
    """
    if model is None:
        print("Not answered yet: replace None with your trained Keras model.")
        return False
    if tuple(model.output_shape[1:]) != (1,):
        print(f"Not quite: the model's output shape is {model.output_shape}; a binary classifier "
              "ends in Dense(1, activation='sigmoid') and trains with binary cross-entropy.")
        return False
    probabilities, labels = [], []
    for images, batch_labels in validation:
        probabilities.append(np.ravel(model(images, training=False)))
        labels.append(np.ravel(batch_labels))
    accuracy = float(np.mean((np.concatenate(probabilities) > 0.5) == np.concatenate(labels)))
    gap = transfer_accuracy - accuracy
    if accuracy < chance + margin:
        print(f"Not quite: your model's validation accuracy is {accuracy:.3f}, no better than "
              f"guessing ({chance:.2f}). Hint: train it (model.fit) on the same training images, "
              "with the same input scaling as in training.")
        return False
    if abs(gap) < 0.005:
        print(f"Measured: your CNN {accuracy:.3f}, the transfer model {transfer_accuracy:.3f}: a tie.")
    elif gap > 0:
        print(f"Measured: your CNN {accuracy:.3f}, the transfer model {transfer_accuracy:.3f}: "
              f"transfer is ahead by {gap:.3f}. That gap is what pretraining bought.")
    else:
        print(f"Measured: your CNN {accuracy:.3f} beats the transfer model ({transfer_accuracy:.3f}) "
              f"by {-gap:.3f}. Check it holds over several seeds before you believe it.")
    return True
