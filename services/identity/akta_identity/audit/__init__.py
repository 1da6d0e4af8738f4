"""The consolidated audit trail: every service's audit records, append-only, in a hash chain per
tenant that `verify` recomputes."""
