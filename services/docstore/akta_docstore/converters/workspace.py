"""Where a conversion works until its result is whole."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_directory(output_path: Path) -> Iterator[Path]:
    """A directory beside the output, removed afterwards with whatever a failed or killed
    conversion left in it. Beside, so that the result reaches the output with one rename (nobody
    sees half a file), and the work uses the disk the caller chose rather than a small /tmp."""
    with tempfile.TemporaryDirectory(prefix=".akta-conversion-", dir=Path(output_path).absolute().parent) as path:
        yield Path(path)
