"""Adversarial SVG corpus: see corpus.py."""
