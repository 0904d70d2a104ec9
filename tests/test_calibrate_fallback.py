"""The rule that chooses the fallback thresholds (devtools/calibrate_fallback.py)."""

from __future__ import annotations

from devtools.calibrate_fallback import best_pair, outcomes

# [true intent, best intent, its confidence, the second intent's confidence]
SURE = [["a", "a", 0.9, 0.05]] * 7
WRONG_AT_0_30 = ["a", "b", 0.30, 0.1]
RIGHT_AT_0_41 = ["a", "a", 0.41, 0.1]
RIGHT_AT_0_47 = ["a", "a", 0.47, 0.1]
ROWS = [*SURE, WRONG_AT_0_30, RIGHT_AT_0_41, RIGHT_AT_0_47]


def test_outcomes_count_right_wrong_and_fallback():
    assert outcomes(ROWS, 0.25, 0.0) == {"right": 0.9, "wrong": 0.1, "fallback": 0.0}
    assert outcomes(ROWS, 0.45, 0.0) == {"right": 0.8, "wrong": 0.0, "fallback": 0.2}
    assert outcomes(ROWS, 0.25, 0.85) == {"right": 0.7, "wrong": 0.0, "fallback": 0.3}


def test_a_near_tie_goes_to_the_more_careful_pair():
    # lowest cost 0.1 (one fallback) at 0.35-0.40; 0.45 costs one fallback more
    # and is chosen; 0.50 costs two more and is not
    threshold, ambiguity, found = best_pair(ROWS)
    assert (threshold, ambiguity) == (0.45, 0.1)
    assert found == {"right": 0.8, "wrong": 0.0, "fallback": 0.2}


def test_a_clearly_cheaper_pair_wins():
    rows = [*SURE, *[WRONG_AT_0_30] * 3]  # three wrong answers below 0.35, nothing to lose above
    assert best_pair(rows)[0] == 0.8  # every pair from 0.35 up costs 0.3; the most careful is taken
    rows = [*SURE, ["a", "a", 0.3, 0.05], ["a", "a", 0.3, 0.05], ["a", "a", 0.3, 0.05]]
    assert best_pair(rows)[:2] == (0.3, 0.1)  # three right answers at 0.3: a higher threshold would lose them
