"""Organisations, users, channels and the single place that decides who sees what."""
