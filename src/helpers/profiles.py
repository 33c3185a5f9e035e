"""The one switch between the learner's full lessons and CI's fast run.

``COURSE_PROFILE=full`` (the default) gives each lesson its real sizes; ``fast`` only
shrinks them (fewer samples, fewer epochs) so CI can run every notebook on two CPU
cores. The code path is the same in both.

This is the only module that reads ``COURSE_PROFILE``. A lesson gets its settings from
:func:`lesson_settings` and passes them to the helpers it calls (``settings.profile``,
``settings.allow_standin``, ``settings.full_fruits360``); no helper reads the switch itself.
Where the floors and sizes come from: ``benchmarks/README.md``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

PROFILES = ("fast", "full")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What every lesson's settings carry: the profile they belong to (set by :func:`lesson_settings`)."""

    profile: str = "full"


@dataclass(frozen=True)
class Lesson01(Settings):
    """Sizes for notebook 01 (CNN basics on CIFAR-10)."""

    train_samples: int | None  # None: the whole training set
    test_samples: int | None   # None: the whole test set
    small_epochs: int          # the small CNN's, and the dense-only baseline's (same budget)
    bigger_epochs: int
    batch_size: int
    small_learning_rate: float
    bigger_learning_rate: float
    ablation_samples: int      # training images of each ablation row (small CNN -> bigger CNN)
    ablation_epochs: int
    min_test_accuracy: float  # the bigger CNN's floor on real CIFAR-10, asserted in the notebook
    allow_standin: bool       # generated shapes in place of CIFAR-10 when no copy can be had


@dataclass(frozen=True)
class Lesson02(Settings):
    """Sizes for notebook 02 (pretrained ImageNet models)."""

    loop_images: int    # images predicted one at a time in the batch-versus-loop measurement
    timing_repeats: int  # batched predictions timed this many times (the best is kept)
    family_builds: tuple[str, ...]  # Keras applications built (weights=None) to count parameters and depth


@dataclass(frozen=True)
class Lesson03(Settings):
    """Sizes for notebook 03 (representations of real photos: PCA, t-SNE, visual search)."""

    image_size: int              # EfficientNet-Lite0's input side (ResNet50 always gets 224)
    fruit_photos: int            # Fruits-360 test photos (a fixed sample) besides every cat and dog photo
    tsne_points: int             # t-SNE input (a fixed sample of all the photos)
    neighbours: tuple[int, ...]  # the k the k-nearest-neighbour classifier may use, chosen on validation
    min_knn_accuracy: float      # floors on the test photos (20%), asserted (benchmarks/README.md)
    min_linear_accuracy: float
    min_precision: float         # share of the 10 nearest neighbours of the query's class, asserted
    full_fruits360: bool         # the 120-class archive (online only); else the mirror's 8 classes


@dataclass(frozen=True)
class Lesson04(Settings):
    """Sizes for notebook 04 (transfer learning, cats vs dogs)."""

    image_size: int              # EfficientNet-Lite0's input side (MobileNetV2 always gets 224)
    epochs: int                  # the head's epochs on cached features
    batch_size: int
    head_learning_rate: float
    timing_batches: int          # batches pushed through the frozen model end to end, to time an epoch
    scratch_size: int            # the from-scratch CNN's input side
    scratch_epochs: int
    scratch_learning_rate: float
    min_accuracy: float          # the real ImageNet network's test floor (half the held-out photos), asserted
    min_gap: float               # transfer minus from-scratch test accuracy, asserted
    nasnet_timing_batches: int   # timed calls (8 photos each) per base in the NASNetMobile comparison


@dataclass(frozen=True)
class Lesson05(Settings):
    """Sizes for notebook 05 (augmentation and fine-tuning, Fruits-360)."""

    image_size: int              # EfficientNet-Lite0's input side (Fruits-360 photos are 100x100)
    train_images: int | None     # a fixed sample of Training (None: all), all of it for training
    test_images: int | None      # a fixed sample of Test (None: all): half validation, half test, per class
    batch_size: int
    head_epochs: int             # phase 1: the head on cached features, base frozen
    head_learning_rate: float
    fine_tune_epochs: int        # phase 2: the top of the base unfrozen, images augmented
    fine_tune_learning_rate: float
    unfreeze_top: int            # phase 2 unfreezes the base's top layers (Lite0: 11 = block7a and the top)
    other_unfreeze_top: int      # the exercise's second depth, from the same phase-1 weights (46 = from block6a)
    min_accuracy: float          # test floor of the model chosen on validation, asserted
    full_fruits360: bool         # the 120-class archive (online only); else the mirror's 8 classes


@dataclass(frozen=True)
class Lesson06(Settings):
    """Sizes for notebook 06 (TensorFlow Hub: classification and feature-vector modules)."""

    epochs: int                  # the head (Dense(500, relu) + Dense(1, sigmoid)) on cached features
    batch_size: int
    learning_rate: float
    fine_tune_images: int        # training photos the module is fine-tuned on (end to end, 224x224)
    fine_tune_epochs: int
    fine_tune_learning_rate: float  # plain SGD (see the lesson: TFSMLayer and Adam)
    fine_tune_val_images: int | None  # the first validation photos, scored before and after (None: all)
    min_accuracy: float          # module + head: test floor (half the held-out photos), asserted


LESSONS = {
    "01": {
        # Floors (benchmarks/README.md; benchmarks/lesson01_cpu.py): below the lowest measured accuracy,
        # far above an untrained network's (about 0.10, printed by the notebook).
        "fast": Lesson01(train_samples=8000, test_samples=1000, small_epochs=3, bigger_epochs=3,
                         batch_size=64, small_learning_rate=1e-3, bigger_learning_rate=3e-3,
                         ablation_samples=1500, ablation_epochs=2, min_test_accuracy=0.40,
                         allow_standin=True),
        # full: 12 epochs of the bigger CNN take about 8 training minutes on 2 cores at the machine's
        # slower speed (7.6 and 9.5 in two runs), about half that at the faster one (issue 34;
        # benchmarks/README.md).
        "full": Lesson01(train_samples=None, test_samples=None, small_epochs=10, bigger_epochs=12,
                         batch_size=64, small_learning_rate=1e-3, bigger_learning_rate=3e-3,
                         ablation_samples=5000, ablation_epochs=4, min_test_accuracy=0.75,
                         allow_standin=False),
    },
    "02": {
        # fast: the family table counts only the small ones (the 18 take minutes to build on 2 cores)
        "fast": Lesson02(loop_images=3, timing_repeats=1, family_builds=("MobileNet", "DenseNet121")),
        "full": Lesson02(loop_images=8, timing_repeats=3, family_builds=(
            "Xception", "VGG16", "VGG19", "ResNet50", "ResNet50V2", "ResNet101", "ResNet101V2", "ResNet152",
            "ResNet152V2", "InceptionV3", "InceptionResNetV2", "MobileNet", "MobileNetV2", "DenseNet121",
            "DenseNet169", "DenseNet201", "NASNetMobile", "NASNetLarge")),
    },
    "03": {
        # Floors (benchmarks/README.md; benchmarks/lesson03_05_floors.py --untrained-source): above the
        # same measurement with random weights of either network that may run (untrained ResNet50,
        # fast, 2026-12-04: kNN 0.68, linear 0.67, precision 0.64), below what Lite0's ImageNet
        # features give (0.99, 0.99, 0.97).
        "fast": Lesson03(image_size=160, fruit_photos=400, tsne_points=1000, neighbours=(1, 5, 10, 20, 40),
                         min_knn_accuracy=0.9, min_linear_accuracy=0.9, min_precision=0.88,
                         full_fruits360=False),
        "full": Lesson03(image_size=224, fruit_photos=1318, tsne_points=3000, neighbours=(1, 5, 10, 20, 40),
                         min_knn_accuracy=0.9, min_linear_accuracy=0.9, min_precision=0.88,
                         full_fruits360=True),
    },
}


LESSONS["04"] = {
    # Floors on the test half of the held-out photos (benchmarks/README.md, lesson03_05_floors.py).
    "fast": Lesson04(image_size=160, epochs=10, batch_size=32, head_learning_rate=1e-3,
                     timing_batches=3, scratch_size=64, scratch_epochs=6, scratch_learning_rate=1e-3,
                     min_accuracy=0.97, min_gap=0.15, nasnet_timing_batches=2),
    "full": Lesson04(image_size=224, epochs=10, batch_size=32, head_learning_rate=1e-3,
                     timing_batches=6, scratch_size=128, scratch_epochs=20, scratch_learning_rate=1e-3,
                     min_accuracy=0.97, min_gap=0.15, nasnet_timing_batches=5),
}
LESSONS["06"] = {
    # Floor: the source lesson's about 1.0 with the real module; Lite0's features measured 0.996
    # with a logistic regression; untrained features stay far below (benchmarks/lesson06_hub.py).
    "fast": Lesson06(epochs=8, batch_size=32, learning_rate=1e-3, fine_tune_images=128,
                     fine_tune_epochs=1, fine_tune_learning_rate=1e-3, fine_tune_val_images=192,
                     min_accuracy=0.97),
    "full": Lesson06(epochs=8, batch_size=32, learning_rate=1e-3, fine_tune_images=1000,
                     fine_tune_epochs=2, fine_tune_learning_rate=1e-3, fine_tune_val_images=None,
                     min_accuracy=0.97),
}
LESSONS["05"] = {
    # Lite0 at 128x128 (benchmarks/lesson03_05_floors.py). Phase 2 did not reliably beat phase 1
    # on the mirror's 8 classes (fast, 2026: 0.982 after phase 2, 0.993 after phase 1), so the
    # lesson keeps whichever is best on validation and asserts only the test floor of that one.
    "fast": Lesson05(image_size=128, train_images=480, test_images=600, batch_size=32, head_epochs=10,
                     head_learning_rate=1e-3, fine_tune_epochs=1, fine_tune_learning_rate=1e-4,
                     unfreeze_top=11, other_unfreeze_top=3,
                     min_accuracy=0.95, full_fruits360=False),
    "full": Lesson05(image_size=128, train_images=4800, test_images=3000, batch_size=32, head_epochs=10,
                     head_learning_rate=1e-3, fine_tune_epochs=3, fine_tune_learning_rate=1e-4,
                     unfreeze_top=11, other_unfreeze_top=46,
                     min_accuracy=0.95, full_fruits360=True),
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
    settings = replace(by_profile[profile], profile=profile)
    print(describe(profile, settings))
    return settings


def describe(profile: str, settings) -> str:
    """One banner line naming the profile and its sizes."""
    sizes = ", ".join(f"{f.name}={'all' if getattr(settings, f.name) is None else getattr(settings, f.name)}"
                      for f in fields(settings) if f.name != "profile")
    note = ("fast: CI-sized samples and epochs; set COURSE_PROFILE=full for the real lesson"
            if profile == "fast" else "full: the real lesson")
    return f"Course profile: {profile.upper()} ({note})\n  {sizes}"
