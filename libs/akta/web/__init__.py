"""The shared Flask app factory and what every service's HTTP API has in common."""
