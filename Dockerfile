# Production image: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH" \
    IPV_PG_BIN=/usr/lib/postgresql/18/bin

# Pango for WeasyPrint (PDFs); fonts with every French accent. pg_dump and pg_restore of the
# server's major version (18) for `manage.py backup` and `restore`, from PostgreSQL's own
# repository (PGDG): Debian bookworm's client is 15, which cannot dump a PostgreSQL 18 server.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
       https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
       > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
       postgresql-client-18 \
    && apt-get purge -y --auto-remove curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN pip install --no-cache-dir "uv==0.13.9" \
    && uv sync --frozen --no-dev --no-install-project

COPY . .
RUN python -m ipv.core.translations \
    && DJANGO_SECRET_KEY=collectstatic-only IPV_FIELD_ENCRYPTION_KEY=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1yZWFsLWtleSE= \
       DATABASE_URL=postgres://unused/unused REDIS_URL=redis://unused:6379/0 IPV_BASE_URL=https://unused.invalid \
       python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home /app ipv \
    && mkdir -p /app/var/backups \
    && chown -R ipv /app/var

USER ipv
EXPOSE 8000
# No access log: request paths are logged by the application, with secret tokens masked.
CMD ["gunicorn", "ipv.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
