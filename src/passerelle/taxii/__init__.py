"""The TAXII 2.1 HTTP API (OASIS TAXII 2.1, https://docs.oasis-open.org/cti/taxii/v2.1/)."""
