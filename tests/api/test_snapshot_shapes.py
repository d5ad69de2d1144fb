"""The snapshot's JSON-ready dicts are exactly what the response models describe."""

from fastapi.testclient import TestClient

from api.areas.schemas import AreaRead
from api.goals.schemas import GoalRead
from api.resources.schemas import ResourceRead
from api.topics.schemas import TopicDetail, TopicSummary


def test_snapshot_dicts_match_the_response_models(client: TestClient):
    snapshot = client.app.state.catalog.snapshot  # type: ignore[attr-defined]
    for area in snapshot.areas:
        assert AreaRead.model_validate(area).model_dump(mode="json") == area
    for entry in snapshot.topics.values():
        assert TopicSummary.model_validate(entry.summary).model_dump(mode="json") == entry.summary
        assert TopicDetail.model_validate(entry.detail).model_dump(mode="json") == entry.detail
    for resource in snapshot.resources:
        assert ResourceRead.model_validate(resource).model_dump(mode="json") == resource
    for goal in snapshot.goals.values():
        assert GoalRead.model_validate(goal).model_dump(mode="json") == goal
