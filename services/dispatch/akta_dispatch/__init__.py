"""Akta dispatch: letters, merge letters and digital post deliveries."""
