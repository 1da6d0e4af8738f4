class ConversionFailed(Exception):
    """A rendition could not be made; `reason` says why, in a few words a person can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
