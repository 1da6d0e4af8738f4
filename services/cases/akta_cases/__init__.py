"""The cases service: where caseworkers live."""
