"""The hand-written JSON Schemas, shipped inside the wheel as ``validator.schemas``."""
