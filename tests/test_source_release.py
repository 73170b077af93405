"""SourceFile.release: a command drops the plan files' bytes once it read them for the last
time; a read after that fails loudly (SourceReleased), never silently empty or stale."""

from __future__ import annotations

import pickle
from dataclasses import FrozenInstanceError

import pytest

from planc.core.source import SourceFile, SourceReleased


def test_a_source_holds_its_bytes_until_released() -> None:
    source = SourceFile("regions/north.yaml", b"a: 1\nb: 2\n", revision="abc")
    assert source.data == b"a: 1\nb: 2\n"
    assert source.path == "regions/north.yaml" and source.revision == "abc"
    assert source.line_text(2) == "b: 2"
    same = SourceFile("regions/north.yaml", b"a: 1\nb: 2\n", revision="abc")
    assert source == same and hash(source) == hash(same)
    assert source != SourceFile("regions/north.yaml", b"a: 1\n", revision="abc")
    copied = pickle.loads(pickle.dumps(source))
    assert copied == source and copied.data == source.data


def test_every_holder_sees_the_release_and_a_late_read_raises() -> None:
    source = SourceFile("regions/north.yaml", b"a: 1\n")
    held = {"regions/north.yaml": source}
    listed = [source]
    source.release()
    for kept in (held["regions/north.yaml"], listed[0]):
        with pytest.raises(SourceReleased, match=r"regions/north\.yaml"):
            _ = kept.data
        with pytest.raises(SourceReleased):
            kept.line_text(1)
    assert source.path == "regions/north.yaml"  # the rest stays
    with pytest.raises(FrozenInstanceError):
        source.path = "regions/south.yaml"  # type: ignore[misc]  # still frozen
    with pytest.raises((AttributeError, TypeError)):  # no way to put bytes back
        source.data = b"again"  # type: ignore[misc]
