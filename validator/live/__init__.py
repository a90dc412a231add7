"""Live traffic: the guard in an SDK's send path and the recording proxy, on the engine's rules.

``checkpoint.Guard`` checks each event of a live connection with the session and rules that
``lint`` uses and records both directions as a capture that ``lint --event-pointer /event``
reads (``capture``); ``sdk.guard`` puts it inside openai-python's realtime connection, and
``relay`` is the WebSocket proxy. Nothing here is imported by ``import validator`` or a lint.
"""
