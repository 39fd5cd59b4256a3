# VRC Hotspot Explorer on a shared server (see the README, "Deploying on a shared server").
# Build:  docker build -t vrc-explorer .
# Run:    docker run -p 127.0.0.1:8501:8501 -v /srv/vrc/data:/data:ro -v /srv/vrc/cache:/cache \
#           -e STREAMLIT_SERVER_COOKIE_SECRET=... vrc-explorer
# The data folder is mounted read-only (police.uk months, boundaries, lookups): nothing is copied in.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VRC_GEO_DATA_DIR=/data \
    VRC_GEO_CACHE_DIR=/cache

WORKDIR /app
COPY requirements.txt .
# Runtime libraries only: everything above the "Tests and checks" block of the pinned requirements.
RUN sed '/^# Tests and checks/,$d' requirements.txt > /tmp/runtime.txt \
    && pip install -r /tmp/runtime.txt \
    && rm /tmp/runtime.txt

COPY app.py ./
COPY pages ./pages
COPY ui ./ui
COPY vrc_geo ./vrc_geo
COPY templates ./templates
COPY .streamlit/config.toml ./.streamlit/config.toml

RUN useradd --create-home --uid 10001 vrc && mkdir -p /cache && chown vrc /cache
USER vrc

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"

CMD ["python", "-m", "ui.serve", "--server.address", "0.0.0.0", "--server.port", "8501"]
