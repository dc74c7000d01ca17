"""Facts logged only as a hash: whatever the shape of a case, the named facts are hashed
wherever they are and nothing else changes."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st
from regelwerk.engine.log.decisionlog import hash_facts, hash_value, is_hashed

KEYS = st.sampled_from(["a", "b", "c", "a.b"])
LEAVES = st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.none())
CASES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=12,
).filter(lambda v: isinstance(v, dict))
NAMES = st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3).map(".".join)


def _check(orig, new, path: str, names: list[str]) -> None:
    """A value under a named fact is hashed whole; every other value is as it was."""
    if path and orig is not None and any(path == n or path.startswith(n + ".") for n in names):
        assert is_hashed(new), (path, orig, new)
    elif isinstance(orig, dict):
        assert list(orig) == list(new)
        for key in orig:
            _check(orig[key], new[key], f"{path}.{key}" if path else key, names)
    elif isinstance(orig, list):
        assert len(orig) == len(new)
        for a, b in zip(orig, new):
            _check(a, b, path, names)
    else:
        assert new == orig, (path, orig, new)


@settings(max_examples=300, deadline=None)
@given(case=CASES, names=st.lists(NAMES, max_size=3))
def test_named_facts_are_hashed_and_nothing_else_changes(case, names):
    original = copy.deepcopy(case)
    hashed, done = hash_facts(case, names)
    assert case == original  # the case itself is never changed
    assert set(done) <= set(names)
    _check(original, hashed, "", names)
    again, _ = hash_facts(hashed, names)
    assert again == hashed  # hashing twice changes nothing


def test_a_whole_object_named_is_hashed_as_one_value():
    case = {"klager": {"naam": "An", "email": "an@example.be"}, "klacht.schriftelijk": True}
    hashed, done = hash_facts(case, ["klager"])
    assert done == ["klager"]
    assert hashed["klager"] == hash_value({"email": "an@example.be", "naam": "An"})
    assert hashed["klacht.schriftelijk"] is True
    dotted, done = hash_facts({"klager.naam": "An", "klager.email": None, "x": 1}, ["klager"])
    assert is_hashed(dotted["klager.naam"]) and dotted["klager.email"] is None
    assert dotted["x"] == 1 and done == ["klager"]
