"""The engine: one input's records become findings, with the session's state."""
