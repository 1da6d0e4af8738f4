"""Akta intake: inbound mail, distribution rules and the post room."""
