"""Metric definitions: plain Python over plain rows, each with the sentence that defines it."""
