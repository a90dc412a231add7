"""Inputs: each source turns a file or stream into records with their place in the file.

Sources read, they do not judge: they import nothing of ``check`` (an import-linter contract).
"""
