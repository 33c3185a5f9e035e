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


def plot_image_scatter(points: np.ndarray, images: np.ndarray, labels: Sequence[int] | None = None,
                       class_names: Sequence[str] | None = None, max_images: int = 400,
                       zoom: float = 0.6, size: float = 11.0, seed: int = 0) -> plt.Figure:
    """Thumbnails drawn at their 2-D positions (e.g. a t-SNE map), framed in their class colour.

    At most ``max_images`` thumbnails (a random subset) are drawn, so the map stays readable.
    """
    from matplotlib.offsetbox import AnnotationBbox, OffsetImage

    points = np.asarray(points)
    rng = np.random.default_rng(seed)
    shown = rng.permutation(len(points))[:max_images]
    palette = sns.color_palette("tab10", n_colors=max(10, len(class_names or [])))
    fig, ax = plt.subplots(figsize=(size, size))
    ax.scatter(points[:, 0], points[:, 1], s=0)  # sets the axis limits
    for i in shown:
        frame = {} if labels is None else {"edgecolor": palette[int(labels[i])], "linewidth": 2}
        box = AnnotationBbox(OffsetImage(images[i], zoom=zoom), points[i], frameon=labels is not None,
                             pad=0.05, bboxprops=frame)
        ax.add_artist(box)
    if labels is not None and class_names is not None:
        handles = [plt.Line2D([], [], marker="s", linestyle="", color=palette[k], label=name)
                   for k, name in enumerate(class_names)]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1, 1), fontsize=9)
    ax.set(xticks=[], yticks=[])
    fig.tight_layout()
    return fig


def show_image_rows(rows: Sequence[Sequence[np.ndarray]], titles: Sequence[Sequence[str]] | None = None,
                    row_labels: Sequence[str] | None = None, size: float = 1.6,
                    title_colors: Sequence[Sequence[str]] | None = None) -> plt.Figure:
    """Rows of images (e.g. a query and its nearest neighbours), one row per list, labelled on the left."""
    cols = max(len(r) for r in rows)
    fig, axes = plt.subplots(len(rows), cols, figsize=(cols * size, len(rows) * (size + 0.3)), squeeze=False)
    for r, row in enumerate(rows):
        for c, ax in enumerate(axes[r]):
            ax.set(xticks=[], yticks=[])
            if c >= len(row):
                ax.axis("off")
                continue
            ax.imshow(row[c])
            if titles is not None:
                color = title_colors[r][c] if title_colors is not None else "black"
                ax.set_title(titles[r][c], fontsize=8, color=color)
        if row_labels is not None:
            axes[r][0].set_ylabel(row_labels[r], fontsize=9)
    fig.tight_layout()
    return fig


def plot_mistakes(images: np.ndarray, true_labels: Sequence[int], predicted: Sequence[int],
                  confidence: Sequence[float], class_names: Sequence[str], max_images: int = 15,
                  cols: int = 5) -> plt.Figure | None:
    """The model's most confident mistakes, titled 'predicted p% (true: ...)' in red."""
    true_labels, predicted = np.asarray(true_labels), np.asarray(predicted)
    wrong = np.flatnonzero(true_labels != predicted)
    if len(wrong) == 0:
        print("No mistakes to show.")
        return None
    worst = wrong[np.argsort(np.asarray(confidence)[wrong])[::-1][:max_images]]
    titles = [f"{class_names[predicted[i]]} {confidence[i]:.0%}\n(true: {class_names[true_labels[i]]})"
              for i in worst]
    return show_images([images[i] for i in worst], titles, cols=cols, title_colors=["red"] * len(worst))


def plot_phases(phases: Mapping[str, Mapping[str, Sequence[float]]],
                metrics: Sequence[str] = ("accuracy", "loss")) -> plt.Figure:
    """Training curves of consecutive phases (e.g. head, then fine-tuning) on one epoch axis.

    ``phases`` maps a phase name to its ``history``; a dotted line marks where each phase starts.
    """
    fig, axes = plt.subplots(1, len(metrics), figsize=(6 * len(metrics), 4), squeeze=False)
    for ax, metric in zip(axes.flat, metrics):
        start = 0
        for (name, history), color in zip(phases.items(), sns.color_palette()):
            epochs = np.arange(start + 1, start + len(history[metric]) + 1)
            ax.plot(epochs, history[metric], "-o", color=color, label=f"{name} train")
            if f"val_{metric}" in history:
                ax.plot(epochs, history[f"val_{metric}"], "--s", color=color, label=f"{name} validation")
            if start:
                ax.axvline(start + 0.5, color="gray", linestyle=":")
            start += len(history[metric])
        ax.set(xlabel="epoch", ylabel=metric, title=metric)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_layer_stack(model, title: str | None = None):
    """A diagram of a Sequential CNN: one box per layer with weights or a shape change, drawn
    left to right, its height the feature map's side and its width the channels (log scale),
    labelled with the layer's kind and output shape. What ``keras.utils.plot_model`` shows, without
    Graphviz."""
    import matplotlib.pyplot as plt

    boxes, previous = [], None
    for layer in model.layers:
        shape = tuple(layer.output.shape[1:])
        if layer.weights or shape != previous:
            boxes.append((type(layer).__name__, shape))
        previous = shape
    fig, ax = plt.subplots(figsize=(max(8, 1.1 * len(boxes)), 3.6))
    x = 0.0
    for kind, shape in boxes:
        side = shape[0] if len(shape) == 3 else 1
        channels = shape[-1]
        width, height = 0.25 + 0.12 * np.log2(channels), 0.4 + 2.4 * side / 32
        colour = {"Conv2D": "tab:blue", "MaxPooling2D": "tab:orange", "AveragePooling2D": "tab:orange",
                  "Dense": "tab:green", "BatchNormalization": "tab:gray"}.get(kind, "tab:purple")
        ax.add_patch(plt.Rectangle((x, -height / 2), width, height, color=colour, alpha=0.6))
        ax.text(x + width / 2, height / 2 + 0.1, kind.replace("2D", ""), ha="center", va="bottom",
                fontsize=7, rotation=45)
        ax.text(x + width / 2, -height / 2 - 0.1, "x".join(str(s) for s in shape), ha="center",
                va="top", fontsize=7)
        x += width + 0.35
    ax.set(xlim=(-0.3, x), ylim=(-2.2, 2.6), title=title or model.name)
    ax.axis("off")
    return fig
