"""Experts' domain rules: offer countdowns and what a valid profile is. Plain Python."""
