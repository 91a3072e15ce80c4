"""Administration: every change of the register (organisations, users, clients, channels)
checked against who acts and audited, for the command line and the REST API alike.

``actions`` runs the changes; ``operations`` serves an organisation's admins over REST;
``erasure`` erases an object for data-protection reasons (its producer's admin or auditor).
"""
