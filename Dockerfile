# monitor: the daemon on SQLite, data in the /data volume.
#   docker build -t monitor .
#   docker run -v monitor-data:/data monitor            (daemon)
#   docker run -v monitor-data:/data monitor poll       (one pass)
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 \
    MONITOR_CONFIG=/app/config/monitor.toml \
    MONITOR_DATABASE__URL=sqlite:////data/monitor.db
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir --upgrade pip && pip install --no-cache-dir .
COPY config ./config
COPY seeds ./seeds
RUN useradd --system --home /app monitor && mkdir /data && chown monitor /data
USER monitor
VOLUME ["/data"]
ENTRYPOINT ["sh", "-c", "monitor init >/dev/null && exec monitor \"$@\"", "--"]
CMD ["run"]
