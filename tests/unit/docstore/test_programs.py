"""Converters run in their own process group, below the service's CPU priority."""

import os
import sys

from akta_docstore.converters.programs import CONVERTER_NICENESS, run


def test_a_converter_runs_at_a_lower_priority_than_the_service():
    finished = run([sys.executable, "-c", "import os; print(os.nice(0))"], 30, os.environ)
    assert finished.exit_code == 0
    assert int(finished.stdout) == os.nice(0) + CONVERTER_NICENESS
