# skillpath's image: `docker compose up` (compose.yaml) runs it on PostgreSQL.
# Both stages use the same base image, so the venv built in the first runs in the second.
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

# --- builder: install the locked dependencies and the project into /opt/venv ---------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# The lock first, so a code change does not reinstall every dependency. requirements.lock is one
# file for the runtime dependencies and the dev extra (see `make lock`); pip cannot install part
# of a hash-checked lock, so the image carries the dev tools too. Reproducibility wins over size.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

# A regular (not editable) install, byte-compiled now since the runtime user cannot write there.
# migrations/ lands in site-packages next to models/, where models/migrate.py looks for it, and
# seed/catalog.yaml and the web app's static files (web/) come along as package data.
COPY pyproject.toml README.md ./
COPY api ./api
COPY models ./models
COPY planner ./planner
COPY seed ./seed
COPY migrations ./migrations
COPY web ./web
# The checks import the installed copy (-P keeps /src off sys.path): fail the build, not the start.
RUN pip install --no-cache-dir --no-deps --no-build-isolation . \
    && python -P -c "from models.migrate import head_revision; assert head_revision()" \
    && python -P -c "from seed.schema import DEFAULT_CATALOG_PATH as p; assert p.is_file()" \
    && python -P -c "from importlib.resources import files; assert files('web').joinpath('js/main.js').is_file()"

# --- runtime: the venv and nothing else, run by an unprivileged user -------------------------
FROM ${PYTHON_IMAGE} AS runtime

RUN groupadd --system --gid 10001 skillpath \
    && useradd --system --uid 10001 --gid skillpath --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin skillpath \
    && install -d -o skillpath -g skillpath /app /app/data

COPY --from=builder /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SKILLPATH_DATABASE_URL=sqlite:////app/data/skillpath.db

WORKDIR /app
# Only used with the SQLite default above; compose.yaml points the service at PostgreSQL.
VOLUME ["/app/data"]
# Numeric, so orchestrators can check runAsNonRoot without looking the name up.
USER 10001:10001

EXPOSE 8000
# slim has no curl; the standard library is enough. urlopen raises on a non-2xx answer.
# The start period covers migrating and seeding a new database.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", \
         "import urllib.request as r; r.urlopen('http://127.0.0.1:8000/health/live', timeout=4)"]

# `serve` migrates to the newest revision, seeds an empty catalog and ensures the admin account
# (SKILLPATH_ADMIN_EMAIL/PASSWORD) before it accepts requests: see api/startup.py.
CMD ["skillpath", "serve", "--host", "0.0.0.0", "--port", "8000"]
