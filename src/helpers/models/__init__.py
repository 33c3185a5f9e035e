"""Models the lessons share.

    cifar      lesson 01's CNNs for CIFAR-10, and the trained one later lessons reuse
    pretrained every ImageNet-pretrained model (weights through the asset layer; stand-ins only
               in the fast profile), with its own preprocessing; the photos lessons 02-03 use
    transfer   frozen bases, cached features, new heads, fine-tuning (lessons 04-05)
    hub        TF Hub modules through the asset layer into hub.load's cache, as Keras 3 layers
               (lesson 06); hub_standin: the fast profile's offline stand-in module
"""
