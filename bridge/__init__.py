"""The companion bridge: classify on the laptop for the App Inventor Companion, over WebSocket.

protocol   the protocol as a pure state machine (docs/bridge-protocol.md)
server     the WebSocket server around it: batching, hot reload, limits
client     ``pac send``: a client for extension developers
"""
