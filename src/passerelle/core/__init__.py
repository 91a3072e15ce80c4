"""The kernel every feature shares: operation context, the operation registry, references."""
