"""Checking one event: parsing, the schema, the base64 and audio checks. No state, no I/O."""
