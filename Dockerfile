# HomeIQ engine: one aiohttp process; data (SQLite, API token) lives in the /data volume.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOMEIQ_HOST=0.0.0.0 \
    HOMEIQ_PORT=8025 \
    HOMEIQ_DATA_DIR=/data

WORKDIR /app

# The engine's lock, which its test environment installs from too: what ships is what was
# tested. Home Assistant's test pins (locks/homeassistant-test.txt) play no part here.
COPY locks/engine.txt ./locks/engine.txt
COPY pyproject.toml README.md ./
COPY engine ./engine
RUN pip install --constraint locks/engine.txt . \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin homeiq \
    && mkdir -p /data \
    && chown homeiq:homeiq /data

USER homeiq
VOLUME ["/data"]
EXPOSE 8025

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"HOMEIQ_PORT\", \"8025\")}/health', timeout=4)" || exit 1

# SIGTERM lets in-flight requests (and their writes) finish before exit.
STOPSIGNAL SIGTERM
CMD ["homeiq-engine"]
