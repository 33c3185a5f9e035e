"""The one spelling of "what ran in place of the source lesson's": label, announcement, claims."""

from __future__ import annotations

import doctest
from dataclasses import dataclass

import pytest

from helpers import substitution
from helpers.substitution import announce, claim, label


@dataclass
class Ran:
    title: str
    stands_in_for: str | None = None

    @property
    def label(self) -> str:
        return label(self.title, self.stands_in_for)


def test_the_label_names_what_ran_and_what_it_replaces():
    assert label("VGG16", None) == "VGG16"
    assert label("EfficientNet-Lite0", "ResNet50") == "EfficientNet-Lite0 (in place of ResNet50)"


def test_the_announcement_is_one_line_with_the_reason(capsys):
    line = announce("Network", "EfficientNet-Lite0", "real ImageNet weights", "ResNet50", "offline")
    assert capsys.readouterr().out == line + "\n" and "\n" not in line
    assert line == "Network: EfficientNet-Lite0 (real ImageNet weights) in place of ResNet50 (offline)."
    assert doctest.testmod(substitution).failed == 0


def test_a_claim_is_asserted_for_what_ran(capsys):
    ran = Ran("EfficientNet-Lite0", "ResNet50")
    assert claim(ran, True, "a true claim")
    assert capsys.readouterr().out == "checked (EfficientNet-Lite0 (in place of ResNet50)): a true claim\n"
    with pytest.raises(AssertionError, match="EfficientNet-Lite0 .in place of ResNet50.: expected a false claim"):
        claim(ran, False, "a false claim")


def test_every_object_that_may_stand_in_spells_it_the_same_way():
    """Pretrained, HubModule and ImageDataset: one field, stands_in_for, and a label from it."""
    import dataclasses

    from helpers.datasets.cifar10 import ImageDataset
    from helpers.models.hub import HubModule
    from helpers.models.pretrained import Pretrained

    for kind in (Pretrained, HubModule, ImageDataset):
        names = {f.name for f in dataclasses.fields(kind)}
        assert "stands_in_for" in names and isinstance(kind.label, property), kind
        assert not names & {"is_standin", "real", "real_weights", "imagenet"}, kind
