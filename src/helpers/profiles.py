"""The one switch between the learner's full lessons and CI's fast run.

``COURSE_PROFILE=full`` (the default) gives each lesson its real sizes; ``fast`` only
shrinks them (fewer samples, fewer epochs) so CI can run every notebook on two CPU
cores. The code path is the same in both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

PROFILES = ("fast", "full")


@dataclass(frozen=True)
class Lesson01:
    """Sizes for notebook 01 (CNN basics on CIFAR-10)."""

    train_samples: int | None  # None: the whole training set
    test_samples: int | None   # None: the whole test set
    small_epochs: int
    bigger_epochs: int
    batch_size: int
    small_learning_rate: float
    bigger_learning_rate: float
    min_test_accuracy: float  # the bigger CNN's floor on real CIFAR-10, asserted in the notebook


@dataclass(frozen=True)
class Lesson02:
    """Sizes for notebook 02 (pretrained ImageNet models)."""

    loop_images: int    # images predicted one at a time in the batch-versus-loop measurement
    timing_repeats: int  # batched predictions timed this many times (the best is kept)


@dataclass(frozen=True)
class Lesson03:
    """Sizes for notebook 03 (representations: PCA, t-SNE, visual search)."""

    train_samples: int | None  # CIFAR-10 training images: the kNN/linear classifiers' training set
    test_samples: int | None   # CIFAR-10 test images whose features are explored
    epochs: int                # training lesson 01's CNN here, only if lesson 01 saved none
    batch_size: int
    tsne_points: int           # t-SNE input (a subset of the test features)
    neighbours: int            # k of the k-nearest-neighbour classifier
    min_feature_accuracy: float  # floor for kNN and linear accuracy on real CIFAR-10 features


@dataclass(frozen=True)
class Lesson04:
    """Sizes for notebook 04 (transfer learning, cats vs dogs)."""

    epochs: int                      # the head's epochs, and the from-scratch network's: same budget
    end_to_end_epochs: int           # epochs of the frozen model trained end to end, to time them
    batch_size: int
    head_learning_rate: float        # peak of the cosine schedule: the head on features
    scratch_learning_rate: float     # the same network from scratch (lesson 01's rate)
    cifar_train_samples: int | None  # if lesson 01's model is not saved: CIFAR-10 images to train it on
    cifar_epochs: int
    min_accuracy: float              # CIFAR-10 base (offline): validation floor, asserted
    min_budget_gap: float            # CIFAR-10 base: transfer minus from-scratch validation
                                     # accuracy, averaged over the epochs (budgets 1..epochs), asserted
    imagenet_min_accuracy: float     # MobileNetV2 with real ImageNet weights: asserted only then


@dataclass(frozen=True)
class Lesson05:
    """Sizes for notebook 05 (augmentation and fine-tuning, Fruits-360)."""

    head_epochs: int                 # phase 1: base frozen, the new head trains
    fine_tune_epochs: int            # phase 2: the top of the base unfrozen, lower learning rate
    batch_size: int
    head_learning_rate: float
    fine_tune_learning_rate: float
    unfreeze_layers: int             # CIFAR-10 base: top layers unfrozen in phase 2 (its last two blocks)
    cifar_train_samples: int | None  # as lesson 04: if lesson 01's model is not saved
    cifar_epochs: int
    min_accuracy: float              # CIFAR-10 base (offline): test floor, asserted
    imagenet_min_accuracy: float     # real ImageNet weights: asserted only then


@dataclass(frozen=True)
class Lesson06:
    """Sizes for notebook 06 (TensorFlow Hub: classification and feature-vector modules)."""

    epochs: int                      # the head (Dense(500, relu) + Dense(1, sigmoid)) on cached features
    batch_size: int
    learning_rate: float
    cifar_train_samples: int | None  # stand-in only: as lesson 04, if lesson 01's model is not saved
    cifar_epochs: int
    standin_min_accuracy: float      # stand-in features (lesson 01's CIFAR-10 CNN): validation floor
    hub_min_accuracy: float          # the real feature-vector module: validation floor, asserted only then


LESSONS = {
    "01": {
        # The floors come from runs over several seeds (README, "01"): well below the lowest
        # measured accuracy, far above chance (0.10).
        "fast": Lesson01(train_samples=10000, test_samples=1000, small_epochs=5, bigger_epochs=5,
                         batch_size=64, small_learning_rate=1e-3, bigger_learning_rate=3e-3,
                         min_test_accuracy=0.40),
        "full": Lesson01(train_samples=None, test_samples=None, small_epochs=10, bigger_epochs=7,
                         batch_size=64, small_learning_rate=1e-3, bigger_learning_rate=3e-3,
                         min_test_accuracy=0.75),
    },
    "02": {
        "fast": Lesson02(loop_images=3, timing_repeats=1),
        "full": Lesson02(loop_images=8, timing_repeats=3),
    },
    "03": {
        # Floors: well below what lesson 01's model gives (README, "03"), far above chance (0.10).
        "fast": Lesson03(train_samples=5000, test_samples=1000, epochs=4, batch_size=32,
                         tsne_points=1000, neighbours=10, min_feature_accuracy=0.25),
        "full": Lesson03(train_samples=None, test_samples=None, epochs=12, batch_size=128,
                         tsne_points=3000, neighbours=10, min_feature_accuracy=0.6),
    },
}


LESSONS["04"] = {
    # Floors from runs over several seeds (README, "04 and 05 — measured"), below the lowest
    # measured values: accuracy 0.702, budget-averaged gap +0.041 (fast, 5 seeds) and +0.030
    # (full, with a stronger base that let the from-scratch network catch up by the last epoch).
    "fast": Lesson04(epochs=12, end_to_end_epochs=2, batch_size=32, head_learning_rate=1e-2,
                     scratch_learning_rate=3e-3, cifar_train_samples=10000, cifar_epochs=5,
                     min_accuracy=0.62, min_budget_gap=0.0, imagenet_min_accuracy=0.97),
    "full": Lesson04(epochs=12, end_to_end_epochs=3, batch_size=32, head_learning_rate=1e-2,
                     scratch_learning_rate=3e-3, cifar_train_samples=None, cifar_epochs=12,
                     min_accuracy=0.62, min_budget_gap=0.0, imagenet_min_accuracy=0.97),
}
LESSONS["06"] = {
    # Floors (README, "06"): the real module's from the source lesson's about 1.0; the stand-in's
    # well below its measured runs, far above chance (0.5).
    "fast": Lesson06(epochs=8, batch_size=32, learning_rate=1e-3, cifar_train_samples=10000,
                     cifar_epochs=5, standin_min_accuracy=0.6, hub_min_accuracy=0.97),
    "full": Lesson06(epochs=8, batch_size=32, learning_rate=1e-3, cifar_train_samples=None,
                     cifar_epochs=12, standin_min_accuracy=0.6, hub_min_accuracy=0.97),
}
LESSONS["05"] = {
    "fast": Lesson05(head_epochs=3, fine_tune_epochs=5, batch_size=32, head_learning_rate=1e-2,
                     fine_tune_learning_rate=1e-3, unfreeze_layers=11, cifar_train_samples=10000,
                     cifar_epochs=5, min_accuracy=0.60, imagenet_min_accuracy=0.95),
    "full": Lesson05(head_epochs=5, fine_tune_epochs=10, batch_size=32, head_learning_rate=1e-2,
                     fine_tune_learning_rate=1e-3, unfreeze_layers=11, cifar_train_samples=None,
                     cifar_epochs=12, min_accuracy=0.60, imagenet_min_accuracy=0.95),
}


def active_profile() -> str:
    """The profile chosen by ``COURSE_PROFILE`` (``fast`` or ``full``; default ``full``)."""
    profile = os.environ.get("COURSE_PROFILE", "full").strip().lower() or "full"
    if profile not in PROFILES:
        raise ValueError(
            f"COURSE_PROFILE={profile!r} is not a profile. Use one of {', '.join(PROFILES)}: "
            "`full` for the real lesson, `fast` for a quick check (what CI runs)."
        )
    return profile


def lesson_settings(lesson: str):
    """The sizes of ``lesson`` (e.g. ``"01"``) under the active profile, printed for the reader."""
    try:
        by_profile = LESSONS[lesson]
    except KeyError:
        raise KeyError(f"No settings for lesson {lesson!r}; known: {', '.join(LESSONS)}") from None
    profile = active_profile()
    settings = by_profile[profile]
    print(describe(profile, settings))
    return settings


def describe(profile: str, settings) -> str:
    """One banner line naming the profile and its sizes."""
    sizes = ", ".join(f"{f.name}={'all' if getattr(settings, f.name) is None else getattr(settings, f.name)}"
                      for f in fields(settings))
    note = ("fast: CI-sized samples and epochs; set COURSE_PROFILE=full for the real lesson"
            if profile == "fast" else "full: the real lesson")
    return f"Course profile: {profile.upper()} ({note})\n  {sizes}"


def standin_allowed(allow_standin: bool | None = None) -> bool:
    """May a stand-in replace a missing asset? As asked, or by default in the fast profile only."""
    return active_profile() == "fast" if allow_standin is None else allow_standin
