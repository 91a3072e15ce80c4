"""STIX 2.1 objects: validation, identifiers, versions and bundles."""
