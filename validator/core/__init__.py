"""The core: rules, findings, statistics, event types, formats, records, JSON text helpers.

It imports nothing else of ``validator``: every other package stands on it.
"""
