"""``python -m planc``: the same as the ``planc`` command."""

from __future__ import annotations

from planc.cli import main

main()
