"""The contacts (parties) registry of a tenant: persons and organisations, de-duplicated by
their identifier, with names and addresses."""
