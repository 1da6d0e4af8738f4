"""Tasks (opgaver/oppgaver), approval workflows (godkendelse/dokumentflyt), notifications and
the caller's dashboard."""
