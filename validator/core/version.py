"""The version of realtime-validator, one place for the package and its reports."""

__version__ = "0.1.0"
