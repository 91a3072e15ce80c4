"""HTTP plumbing shared by the REST API, TAXII and the web interface: auth, errors, media."""
