"""Slot allocation and the choice of contributors: properties over random inputs, and the
tie-break rules by example."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from applications.services.selection import Candidate, allocate_slots, choose

requests = st.dictionaries(st.integers(0, 500), st.integers(0, 40), min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(requests=requests, data=st.data())
def test_allocation_properties(requests, data):
    wanting = {k: v for k, v in requests.items() if v > 0}
    total = data.draw(st.integers(len(wanting), len(wanting) + sum(wanting.values()) + 20))
    allocation = allocate_slots(requests, total)
    assert set(allocation) == set(wanting)  # orgs that asked for nothing get nothing
    for org, slots in allocation.items():
        assert 1 <= slots <= wanting[org]  # at least one each, never above the request
    assert sum(allocation.values()) == min(total, sum(wanting.values()))  # totals match


@given(requests=requests)
def test_too_few_slots_is_refused(requests):
    wanting = [v for v in requests.values() if v > 0]
    if not wanting:
        return
    with pytest.raises(ValueError, match="at least"):
        allocate_slots(requests, len(wanting) - 1)


def test_allocation_is_proportional_to_extra_requests():
    # 10 slots, 3 orgs: each gets 1, then 7 shared by extra asks 9 : 4 : 1 -> 4.5, 2, 0.5;
    # the one slot left by rounding down goes to the largest remainder (a tie: first listed).
    assert allocate_slots({"a": 10, "b": 5, "c": 2}, 10) == {"a": 6, "b": 3, "c": 1}
    assert allocate_slots({"a": 3, "b": 3}, 100) == {"a": 3, "b": 3}


def cand(proposal, contributor, rank, preference=99):
    return Candidate(proposal, contributor, rank, preference)


def test_a_contributor_chosen_by_two_orgs_goes_to_the_higher_rank():
    ranked = {
        "A": [cand("a1", "ann", 1), cand("a2", "bob", 2)],
        "B": [cand("b1", "cat", 1), cand("b2", "ann", 2), cand("b3", "dan", 3)],
    }
    chosen = choose(ranked, {"A": 1, "B": 2})
    assert [c.proposal for c in chosen["A"]] == ["a1"]
    # B lost ann (ranked 2nd there, 1st at A) and takes its next one.
    assert [c.proposal for c in chosen["B"]] == ["b1", "b3"]


def test_equal_ranks_go_by_the_contributors_preference():
    ranked = {
        "A": [cand("a1", "ann", 1, preference=2), cand("a2", "bob", 2)],
        "B": [cand("b1", "ann", 1, preference=1), cand("b2", "cat", 2)],
    }
    chosen = choose(ranked, {"A": 1, "B": 1})
    assert [c.proposal for c in chosen["B"]] == ["b1"]
    assert [c.proposal for c in chosen["A"]] == ["a2"]


def test_displacement_cascades():
    ranked = {
        "A": [cand("a1", "ann", 2)],
        "B": [cand("b1", "ann", 1), cand("b2", "bob", 2)],
        "C": [cand("c1", "bob", 1)],
    }
    # ann: B (rank 1) beats A (rank 2); bob: C (rank 1) beats B (rank 2).
    chosen = choose(ranked, {"A": 1, "B": 1, "C": 1})
    assert {o: [c.proposal for c in cs] for o, cs in chosen.items()} == {
        "A": [],
        "B": ["b1"],
        "C": ["c1"],
    }


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from("ABCDEF"),
        st.lists(st.tuples(st.sampled_from("pqrstuvwxyz"), st.integers(1, 3)), max_size=8),
        min_size=1,
    ),
    st.data(),
)
def test_choice_properties(raw, data):
    ranked = {
        org: [cand(f"{org}{i}", who, i + 1, pref) for i, (who, pref) in enumerate(rows)]
        for org, rows in raw.items()
    }
    slots = {org: data.draw(st.integers(0, 4)) for org in ranked}
    chosen = choose(ranked, slots)
    picked = [c for cs in chosen.values() for c in cs]
    # Nobody is accepted twice, and no org exceeds its slots.
    assert len({c.contributor for c in picked}) == len(picked)
    for org, cs in chosen.items():
        assert len(cs) <= slots[org]
        # Each org's picks are in its own rank order.
        assert [c.rank for c in cs] == sorted(c.rank for c in cs)
    # Stability: an org with a free slot has no unpicked candidate whose contributor is free
    # or held by a worse-ranked proposal elsewhere.
    holder = {c.contributor: c for c in picked}
    for org, candidates in ranked.items():
        if len(chosen[org]) < slots[org]:
            for c in candidates:
                if c in chosen[org]:
                    continue
                held = holder.get(c.contributor)
                assert held is not None
                assert (held.rank, held.preference, held.proposal) <= (
                    c.rank,
                    c.preference,
                    c.proposal,
                )
