"""Plots every lesson shares: image grids, training curves, predictions, confusion matrices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from sklearn.metrics import confusion_matrix


def show_images(images: Sequence[np.ndarray], titles: Sequence[str] | None = None,
                cols: int = 5, size: float = 2.2, cmap: str | None = None,
                title_colors: Sequence[str] | None = None) -> plt.Figure:
    """Show images in a grid; grayscale (H, W) or (H, W, 1) images are drawn with ``cmap``."""
    rows = int(np.ceil(len(images) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * size, rows * size), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= len(images):
            continue
        image = np.asarray(images[i])
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        ax.imshow(image, cmap=cmap or ("gray" if image.ndim == 2 else None))
        if titles is not None:
            color = title_colors[i] if title_colors is not None else "black"
            ax.set_title(titles[i], fontsize=9, color=color)
    fig.tight_layout()
    return fig


def plot_history(histories: Mapping[str, Mapping[str, Sequence[float]]],
                 metrics: Sequence[str] = ("accuracy", "loss")) -> plt.Figure:
    """Training and validation curves, one panel per metric, one colour per model.

    ``histories`` maps a model name to ``model.fit(...).history``.
    """
    fig, axes = plt.subplots(1, len(metrics), figsize=(6 * len(metrics), 4), squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        for (name, history), color in zip(histories.items(), sns.color_palette()):
            epochs = np.arange(1, len(history[metric]) + 1)
            ax.plot(epochs, history[metric], "-o", color=color, label=f"{name} train")
            if f"val_{metric}" in history:
                ax.plot(epochs, history[f"val_{metric}"], "--s", color=color,
                        label=f"{name} validation")
        ax.set(xlabel="epoch", ylabel=metric, title=metric)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_predictions(images: np.ndarray, true_labels: Sequence[int], predicted: Sequence[int],
                     class_names: Sequence[str], cols: int = 5) -> plt.Figure:
    """A grid of images titled 'predicted (true)'; wrong predictions get a red title."""
    titles = [class_names[p] if p == t else f"{class_names[p]}\n(true: {class_names[t]})"
              for p, t in zip(predicted, true_labels)]
    colors = ["black" if p == t else "red" for p, t in zip(predicted, true_labels)]
    return show_images(images, titles, cols=cols, title_colors=colors)


def plot_confusion_matrix(true_labels: Sequence[int], predicted: Sequence[int],
                          class_names: Sequence[str], normalize: bool = True) -> np.ndarray:
    """Draw the confusion matrix as a heatmap (rows: true class) and return the counts."""
    counts = confusion_matrix(true_labels, predicted, labels=range(len(class_names)))
    shown = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalize else counts
    fig, ax = plt.subplots(figsize=(8, 6.5))
    sns.heatmap(shown, annot=True, fmt=".2f" if normalize else "d", cmap="Blues",
                xticklabels=class_names, yticklabels=class_names, cbar=False, ax=ax)
    ax.set(xlabel="predicted", ylabel="true",
           title="Confusion matrix" + (" (each row sums to 1)" if normalize else ""))
    fig.tight_layout()
    return counts
