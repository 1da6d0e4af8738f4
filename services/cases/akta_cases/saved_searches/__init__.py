"""Saved searches over cases: the case list's criteria kept per user, shareable."""
