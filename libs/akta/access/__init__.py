"""Access control every service enforces locally: grants on access groups, screening codes and
single cases, replicated from identity's events, evaluated inside each query."""
