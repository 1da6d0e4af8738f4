"""The identity service: who is who, how they sign in, what they may do."""
