"""Models the lessons share.

    cifar      lesson 01's CNNs for CIFAR-10, and the trained one later lessons reuse
"""
