# regelwerk serve in a container: the HTTP API and the web page on port 8080.
#   docker build -t regelwerk .
#   docker run -p 127.0.0.1:8080:8080 -v regelwerk-log:/data regelwerk
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    REGELWERK_LOG=/data/decisions.sqlite \
    REGELWERK_CACHE_DIR=/tmp/regelwerk-cache

WORKDIR /src
COPY pyproject.toml README.md ./
COPY engine ./engine
COPY plugins ./plugins
COPY rules ./rules
COPY schemas ./schemas
# The project itself, from this folder (its dependencies are bounded in pyproject.toml).
# hadolint ignore=DL3013
RUN pip install ".[server]" \
    && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin regelwerk \
    && mkdir -p /data \
    && chown 10001 /data

WORKDIR /
# The decision log (personal data): keep it in a volume, never in the image.
VOLUME ["/data"]
USER 10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/api/health', timeout=4)"]
# Inside the container the server listens on every interface; publish the port on the
# host's loopback (-p 127.0.0.1:8080:8080) or give --auth with decide = "token".
ENTRYPOINT ["regelwerk", "serve", "--host", "0.0.0.0", "--port", "8080"]
CMD ["--workers", "2"]
