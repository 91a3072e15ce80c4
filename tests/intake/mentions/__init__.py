"""Entity mentions, one test module per language (as in ``passerelle.intake.mentions``)."""
