"""Positions of ``planc diff``'s changed targets: the streaming lookup now lives in core.

:func:`file_spans` places a file's batch of paths in one pass over its YAML
events (:mod:`planc.core.positions`), composing the file only where that pass
declines; ``planc check`` uses the same lookup through
:meth:`planc.core.spans.SpanResolver.resolve_all`.
"""

from __future__ import annotations

from planc.core.spans import file_spans

__all__ = ["file_spans"]
