"""Akta platform libraries: importable by every service, never run on their own."""
