"""Who is calling: signed tokens and the principal they carry, verified locally by every service."""
