"""Access administration in identity: units, groups, access groups, grants, service accounts,
API keys, refresh tokens and sign-in lockout."""
