# monitor: the daemon, SQLite in the /data volume by default.
#   docker build -t monitor .
#   docker run -v monitor-data:/data monitor                           (the daemon)
#   docker run -v monitor-data:/data monitor poll                      (one pass)
#   docker run -v monitor-data:/data -v "$PWD/myconfig:/config:ro" monitor
#        (your own config folder: /config/monitor.toml, relative paths inside it)
#   docker run -v monitor-data:/data monitor --config /config/other.toml stats
# Volumes: /data (the database; the baked config keeps it there), /config (optional,
# read-only is fine). tini is PID 1: signals reach monitor, so `docker stop` finishes
# in-flight work cleanly (with another image, `docker run --init` does the same).
# Any Debian-based image with Python 3.11+ and its venv module will do as the base
# (tests/core/test_core_image.py builds on one made from Debian's packages).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python3 -m venv /opt/venv
# Dependencies first, pinned and hash-checked: this layer is rebuilt only when the lock changes.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY config ./config
COPY src ./src
RUN pip install --no-deps . && rm -rf build src/*.egg-info
COPY seeds ./seeds
COPY scripts/docker-entrypoint.sh /usr/local/bin/monitor-entrypoint
RUN useradd --system --home /app monitor && mkdir -p /data /config && chown monitor /data
USER monitor
VOLUME ["/data"]
ENTRYPOINT ["tini", "--", "monitor-entrypoint"]
# The daemon serves its probes on loopback inside the container; the health check asks
# /healthz there. (A container given another command, e.g. `poll`, exits instead.)
CMD ["run", "--metrics-port", "9100"]
HEALTHCHECK --interval=60s --timeout=5s --start-period=120s --retries=3 \
    CMD python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9100/healthz', timeout=4)"
