"""Self-checks: graded answers to a topic's questions that award levels."""
