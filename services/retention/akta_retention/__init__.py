"""The retention service: how long things are kept, and what happens then."""
