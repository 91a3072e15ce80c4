"""Correlation: objects linked across channels by shared observables and resolved entities,
shown only within what the asker may see."""
