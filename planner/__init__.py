"""The recommendation and roadmap engine: pure Python over an in-memory topic graph.

No FastAPI, no SQL, no I/O. Build one `CatalogGraph` per catalog version and reuse it; it caches
each goal's learner-independent preparation, so a request only pays for the learner's part.
"""

from planner.errors import UnknownTopic
from planner.goals import Goal, LearnerState
from planner.graph import CatalogGraph, TopicNode
from planner.levels import Level
from planner.reasons import Reason
from planner.recommend import Recommendation, Recommendations, recommend
from planner.roadmap import Roadmap, RoadmapEntry, Stage, build_roadmap
from planner.standing import Standing, Step, standing_of

__all__ = [
    "CatalogGraph",
    "Goal",
    "LearnerState",
    "Level",
    "Reason",
    "Recommendation",
    "Recommendations",
    "Roadmap",
    "RoadmapEntry",
    "Stage",
    "Standing",
    "Step",
    "TopicNode",
    "UnknownTopic",
    "build_roadmap",
    "recommend",
    "standing_of",
]
