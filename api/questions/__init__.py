"""Self-check questions on topics: read by anyone (without answers), edited by admins."""
