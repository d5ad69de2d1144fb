"""Exact expectations on a small, hand-made ML curriculum."""

import pytest

from planner import (
    CatalogGraph,
    Goal,
    LearnerState,
    Level,
    Reason,
    Recommendation,
    TopicNode,
    UnknownTopic,
    build_roadmap,
    recommend,
)

TOPICS = [
    ("python-basics", "Python basics", 10.0),
    ("vectors-and-matrices", "Vectors and matrices", 6.0),
    ("probability", "Probability", 8.0),
    ("numpy", "NumPy", 4.0),
    ("linear-regression", "Linear regression", 8.0),
    ("logistic-regression", "Logistic regression", 6.0),
    ("neural-networks", "Neural networks", 12.0),
    ("sequence-models", "Sequence models", 10.0),
    ("transformers", "Transformers", 16.0),
]
EDGES = [
    ("python-basics", "numpy"),
    ("vectors-and-matrices", "linear-regression"),
    ("numpy", "linear-regression"),
    ("linear-regression", "logistic-regression"),
    ("probability", "logistic-regression"),
    ("logistic-regression", "neural-networks"),
    ("neural-networks", "sequence-models"),
    ("sequence-models", "transformers"),
]
GRAPH = CatalogGraph.build(
    topics=[TopicNode(slug=slug, title=title, hours=hours) for slug, title, hours in TOPICS],
    edges=EDGES,
)
JOB_INTERVIEW = Goal(
    slug="job-interview",
    title="Pass an ML job interview",
    weights={"linear-regression": 0.8, "transformers": 0.6, "sequence-models": 0.5},
)
STARTED = LearnerState(known=frozenset({"python-basics"}), in_progress=frozenset({"numpy"}))
UNLOCKS_ALL = Reason(
    "unlocks",
    "Unlocks Linear regression, Transformers and Sequence models for your job-interview goal.",
)


def test_recommendations_rank_and_explain():
    recs = recommend(GRAPH, JOB_INTERVIEW, STARTED, limit=10)
    assert not recs.goal_reached
    # value = own weight + sum(open target weight / its open steps) + 0.5 if started,
    # times 20 / (20 + hours). Open steps: linear regression 3, sequence models 7, transformers 8.
    # NumPy, started, is at `aware`: 2/3 of its 4 hours are left (the depth-hours rule).
    assert recs.items == (
        Recommendation(
            slug="numpy",
            score=round((0.8 / 3 + 0.5 / 7 + 0.6 / 8 + 0.5) * 20 / (20 + 8 / 3), 4),
            reasons=(
                UNLOCKS_ALL,
                Reason("in_progress", "You have already started it."),
                Reason("quick_win", "A quick win: about 2.7 hours."),
            ),
        ),
        # (0.8 / 3 + 0.5 / 7 + 0.6 / 8) * 20 / 26
        Recommendation(slug="vectors-and-matrices", score=0.3178, reasons=(UNLOCKS_ALL,)),
        Recommendation(
            slug="probability",
            score=0.1046,  # (0.5 / 7 + 0.6 / 8) * 20 / 28
            reasons=(
                Reason(
                    "unlocks",
                    "Unlocks Transformers and Sequence models for your job-interview goal.",
                ),
            ),
        ),
    )


def test_limit_cuts_the_ranking():
    recs = recommend(GRAPH, JOB_INTERVIEW, STARTED, limit=2)
    assert [item.slug for item in recs.items] == ["numpy", "vectors-and-matrices"]


def test_a_ready_target_names_its_weight():
    state = LearnerState(known=frozenset({"python-basics", "numpy", "vectors-and-matrices"}))
    top = recommend(GRAPH, JOB_INTERVIEW, state, limit=1).items[0]
    assert top.slug == "linear-regression"
    assert top.reasons == (
        Reason(
            "goal_target",
            "Linear regression is a target of your job-interview goal (weight 0.8).",
        ),
        Reason("unlocks", "Unlocks Transformers and Sequence models for your job-interview goal."),
    )
    # Open steps: sequence models 5, transformers 6.
    assert top.score == round((0.8 + 0.5 / 5 + 0.6 / 6) * 20 / 28, 4)


def test_ad_hoc_goal_speaks_of_your_targets():
    goal = Goal.ad_hoc(["numpy", "linear-regression"])
    recs = recommend(GRAPH, goal, LearnerState(known=frozenset({"python-basics"})), limit=1)
    assert recs.items[0].slug == "numpy"
    assert recs.items[0].reasons[:2] == (
        Reason("goal_target", "NumPy is one of your targets."),
        Reason("unlocks", "Unlocks Linear regression for your targets."),
    )


def test_a_met_target_reaches_the_goal_though_groundwork_is_left():
    # Known topics need not be prerequisite-closed: the target is met, its prerequisite is not
    # known. The goal is reached (every target met, DESIGN.md §7); the roadmap still lists the
    # groundwork, as a road back to what the learner skipped.
    goal = Goal.ad_hoc(["numpy"])
    state = LearnerState(known=frozenset({"numpy"}))
    recs = recommend(GRAPH, goal, state)
    assert recs.goal_reached
    assert recs.items == ()
    assert [e.slug for e in build_roadmap(GRAPH, goal, state).entries] == ["python-basics"]


def test_goal_reached():
    everything = LearnerState(known=frozenset(slug for slug, _, _ in TOPICS))
    assert recommend(GRAPH, JOB_INTERVIEW, everything).goal_reached
    assert recommend(GRAPH, JOB_INTERVIEW, everything).items == ()
    road = build_roadmap(GRAPH, JOB_INTERVIEW, everything, hours_per_week=5)
    assert (road.stages, road.total_hours, road.weeks, road.left_out) == ((), 0.0, 0, ())


def test_roadmap_stages_and_weeks():
    road = build_roadmap(GRAPH, JOB_INTERVIEW, STARTED, hours_per_week=10)
    assert [[(e.slug, e.week) for e in stage.entries] for stage in road.stages] == [
        [("numpy", 1), ("probability", 1), ("vectors-and-matrices", 2)],
        [("linear-regression", 2)],
        [("logistic-regression", 3)],
        [("neural-networks", 4)],
        [("sequence-models", 5)],
        [("transformers", 6)],
    ]
    assert [stage.number for stage in road.stages] == [1, 2, 3, 4, 5, 6]
    assert road.total_hours == 68.666667  # 70 h, less the third of NumPy's 4 h already done
    assert road.weeks == 7
    assert road.left_out == ()


def test_roadmap_within_a_budget():
    road = build_roadmap(GRAPH, JOB_INTERVIEW, STARTED, budget_hours=30)
    # Linear regression's chain (16.7 h) is the only target that fits; probability fills the rest.
    assert [[e.slug for e in stage.entries] for stage in road.stages] == [
        ["numpy", "probability", "vectors-and-matrices"],
        ["linear-regression"],
    ]
    assert road.total_hours == 24.666667
    assert road.weeks is None
    assert road.left_out == (
        "logistic-regression",
        "neural-networks",
        "sequence-models",
        "transformers",
    )


def test_unknown_and_stray_slugs():
    with pytest.raises(UnknownTopic):
        recommend(GRAPH, Goal.ad_hoc(["quantum-ml"]), STARTED)
    stray = LearnerState(known=frozenset({"python-basics", "cobol"}), in_progress=frozenset({"x"}))
    assert recommend(GRAPH, JOB_INTERVIEW, stray).items[0].slug == "numpy"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: recommend(GRAPH, JOB_INTERVIEW, STARTED, limit=0), "limit"),
        (lambda: build_roadmap(GRAPH, JOB_INTERVIEW, STARTED, hours_per_week=0), "hours_per_week"),
        (lambda: build_roadmap(GRAPH, JOB_INTERVIEW, STARTED, budget_hours=-1), "budget_hours"),
        (
            lambda: build_roadmap(GRAPH, JOB_INTERVIEW, STARTED, hours_per_week=float("nan")),
            "hours_per_week",
        ),
    ],
)
def test_argument_ranges(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_long_lists_of_names_are_capped():
    topics = [TopicNode(slug="base", title="Base", hours=1.0)]
    topics += [TopicNode(slug=f"t{i}", title=f"T{i}", hours=1.0) for i in range(5)]
    graph = CatalogGraph.build(topics=topics, edges=[("base", f"t{i}") for i in range(5)])
    goal = Goal(slug="many", weights={f"t{i}": 1.0 for i in range(5)})
    top = recommend(graph, goal, LearnerState(), limit=1).items[0]
    assert top.reasons[0] == Reason("unlocks", "Unlocks T0, T1, T2 and 2 more for your many goal.")


# Levels (DESIGN.md §7): the same curriculum, a goal that asks different depths.
LEVELLED = Goal(
    slug="job-interview",
    title="Pass an ML job interview",
    weights={"linear-regression": 0.8, "probability": 0.5, "transformers": 0.6},
    levels={
        "linear-regression": Level.EXPERT,
        "probability": Level.PROFICIENT,
        "transformers": Level.AWARE,
    },
)


def test_a_known_target_below_its_level_is_deepened():
    state = LearnerState(
        known={"python-basics", "numpy", "vectors-and-matrices", "linear-regression"},
        levels={"probability": Level.PRACTICED},
    )
    items = {item.slug: item for item in recommend(GRAPH, LEVELLED, state, limit=50).items}
    assert items["probability"].reasons[0] == Reason(
        "deepen", "You are practiced at Probability; the job-interview goal needs proficient."
    )
    assert items["linear-regression"].reasons[0] == Reason(
        "deepen", "You are proficient at Linear regression; the job-interview goal needs expert."
    )
    assert items["linear-regression"].reasons[1] == Reason(
        "goal_target",
        "Linear regression is a target of your job-interview goal (weight 0.8, needed at expert).",
    )
    road = build_roadmap(GRAPH, LEVELLED, state)
    steps = {e.slug: (e.from_level, e.to_level, e.hours) for e in road.entries}
    # Depth hours: estimated hours x (rank(to) - rank(from)) / 3.
    assert steps["probability"] == (Level.PRACTICED, Level.PROFICIENT, round(8.0 / 3, 6))
    assert steps["linear-regression"] == (Level.PROFICIENT, Level.EXPERT, round(8.0 / 3, 6))
    # Transformers is asked only at `aware`: a third of its hours. Its prerequisites must be known
    # and are learned whole (to proficient).
    assert steps["transformers"] == (None, Level.AWARE, round(16.0 / 3, 6))
    assert steps["sequence-models"] == (None, Level.PROFICIENT, 10.0)
    assert road.total_hours == round(8 / 3 + 8 / 3 + 16 / 3 + 6 + 12 + 10, 6)


def test_the_goal_is_reached_when_every_target_meets_its_level():
    state = LearnerState(
        known={slug for slug, _, _ in TOPICS},
        levels={"transformers": Level.AWARE, "linear-regression": Level.EXPERT},
    )
    assert recommend(GRAPH, LEVELLED, state).goal_reached
    assert build_roadmap(GRAPH, LEVELLED, state).entries == ()
    shallow = LearnerState(known={slug for slug, _, _ in TOPICS})
    recs = recommend(GRAPH, LEVELLED, shallow)
    assert not recs.goal_reached
    assert [item.slug for item in recs.items] == ["linear-regression"]


def test_completed_but_only_aware_is_not_known():
    # A learner who completed NumPy but says they only skimmed it: linear regression waits.
    state = LearnerState(
        known={"python-basics", "numpy", "vectors-and-matrices"}, levels={"numpy": Level.AWARE}
    )
    ready = GRAPH.ready_topics(Goal.ad_hoc(["linear-regression"]), state)
    assert ready == ("numpy",)
    road = build_roadmap(GRAPH, Goal.ad_hoc(["linear-regression"]), state)
    assert [(e.slug, e.from_level, e.hours) for e in road.entries] == [
        ("numpy", Level.AWARE, round(4.0 * 2 / 3, 6)),
        ("linear-regression", None, 8.0),
    ]
