"""planc: a plan-as-code compiler for sales teams."""

from __future__ import annotations

__version__ = "0.1.0"
