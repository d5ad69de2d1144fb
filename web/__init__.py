"""The learner's web app: static files that api/web_app.py serves at /app/ (no Python here)."""
