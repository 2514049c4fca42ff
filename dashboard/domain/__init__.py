"""Pure domain logic: imports only the standard library and small pure libraries."""
