"""Reading and checking records: the YAML reader, schemas, cross-record rules, problems."""
