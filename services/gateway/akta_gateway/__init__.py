"""The gateway: the web UI and the one front door that routes to the services."""
