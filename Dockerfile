# One image for every part of Akta: the shared libraries, all services and the gateway.
# Each Kubernetes Deployment or Job chooses the command (see k8s/), for example
#   akta-cases serve --bind 0.0.0.0:8000   akta-cases worker   akta-cases relay   akta-cases migrate
# Without a command the image runs the whole system embedded, for a quick look:
#   docker build -t akta .  &&  docker run --rm -p 8000:8000 akta
#
# Build stage: install the packages into a virtual environment. Every dependency ships as a
# wheel (psycopg[binary], cryptography, argon2-cffi), so no compiler is needed.
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/akta

WORKDIR /src
COPY libs/ libs/
COPY services/ services/

# Not editable, no test or lint tools (requirements-dev.txt stays out of the image).
RUN /opt/akta/bin/pip install \
        ./libs \
        ./services/identity \
        ./services/cases \
        ./services/docstore \
        ./services/dispatch \
        ./services/intake \
        ./services/retention \
        ./services/gateway


# Runtime stage: the virtual environment only, run by an unprivileged user.
FROM python:3.11-slim

# A numeric user, so that Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
RUN groupadd --gid 10001 akta \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin akta \
    && mkdir -p /var/lib/akta \
    && chown 10001:10001 /var/lib/akta

COPY --from=build /opt/akta /opt/akta

# PYTHONDONTWRITEBYTECODE: the root filesystem is read-only in Kubernetes; pip compiled
# the bytecode at build time. Nothing else is written outside /tmp (gunicorn's heartbeat
# files; its control socket is disabled) and PROMETHEUS_MULTIPROC_DIR, both emptyDirs in k8s/.
# AKTA_DATA_DIR: only used by embedded mode and by defaults that real mode overrides.
ENV PATH="/opt/akta/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    AKTA_DATA_DIR=/var/lib/akta

WORKDIR /var/lib/akta
USER 10001:10001
EXPOSE 8000

CMD ["akta-embedded", "run", "--host", "0.0.0.0", "--port", "8000"]
