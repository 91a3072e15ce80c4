"""The append-only audit log, signed with the node's audit key.

``log`` records and checks entries, ``key`` reads or makes the key file, ``checkpoints``
signs and checks heads kept off the node, ``logins`` limits and aggregates failed logins.
"""
