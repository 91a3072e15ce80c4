"""Every object write and read: ingest, pages, versions, removal, and the hooks of writes."""
