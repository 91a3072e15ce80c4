"""The exchange workflow: tips tracked to an outcome, RFIs, watches and partner figures."""
