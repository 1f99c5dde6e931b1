# The one image of the app: the web tier (gunicorn, the default command) and
# the scheduled jobs as a Lambda (same image, ENTRYPOINT overridden by the
# function's ImageConfig:
#   EntryPoint ["/opt/venv/bin/python", "-m", "awslambdaric"]
#   Command    ["core.lambda_handler.lambda_handler"]
# event {"command": "<name>", "args": [...]}).
# The base image is pinned by tag; its digest could not be looked up from
# this sandbox (no registry access): pin it with
#   docker buildx imagetools inspect python:3.11.7-slim-bookworm
# digest: UNVERIFIED (look up before the first production build)

FROM python:3.11.7-slim-bookworm AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY requirements.txt .
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip wheel --wheel-dir /wheels -r requirements.txt awslambdaric==4.2.2 \
    && /opt/venv/bin/pip install --no-index --find-links /wheels -r requirements.txt awslambdaric==4.2.2

FROM python:3.11.7-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=project.settings.production \
    GUNICORN_WORKERS=3
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY --chown=app:app . /app
# Static files at build time, with a throw-away key given to this one RUN only
# (never an ENV: the running container must get SECRET_KEY from Secrets Manager).
RUN SECRET_KEY="build-only-collectstatic-$(python -c 'import secrets; print(secrets.token_hex(32))')" \
    python manage.py collectstatic --noinput
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
CMD ["sh", "-c", "exec gunicorn project.wsgi --bind 0.0.0.0:8000 --workers ${GUNICORN_WORKERS} --timeout 120 --graceful-timeout 30"]
