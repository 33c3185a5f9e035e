"""The checks behind every exercise, one module per lesson (``lesson01``, ...).

A notebook imports its own lesson's module, e.g. ``from helpers.exercises import lesson01 as
exercises``; ``core`` holds what all lessons share.
"""
