# The images of Akta, from one Dockerfile:
#
#   docker build -t akta .                                                  every part but one
#   docker build --target docstore-worker -t akta-docstore-worker .         the docstore worker
#
# The first holds the shared libraries, all services and the gateway; each Kubernetes Deployment
# or Job chooses the command (see k8s/), for example
#   akta-cases serve --bind 0.0.0.0:8000   akta-cases worker   akta-cases relay   akta-cases migrate
# Without a command it runs the whole system embedded, for a quick look:
#   docker build -t akta .  &&  docker run --rm -p 8000:8000 akta
#
# The second is the first plus the programs that make the docstore's renditions (OCR, PDF/A,
# previews), for the one Deployment that runs them: `akta-docstore worker` (k8s/docstore.yaml).
# A separate target rather than one image for all, because these programs (LibreOffice,
# Tesseract, Ghostscript and their libraries: several hundred MB) are needed by that worker alone:
# every other pod stays small and quick to pull, and does not carry LibreOffice's and
# Ghostscript's many parsers of untrusted files, nor their security updates. The worker image is
# built on the same layers, so registries and nodes store only its one extra layer. Run embedded
# from the first image, renditions fail with the name of the missing program (retry them with
# `akta-docstore retry-renditions`); run it from the second for a look with renditions.
#
# The build and runtime stages start from the same Debian release, bookworm, named rather than
# left to the `python:3.11-slim` tag, which moves to each new release: the virtual environment is
# copied from one to the other, and the worker's package names are bookworm's.
#
# Build stage: install the packages into a virtual environment. Every dependency ships as a
# wheel (psycopg[binary], cryptography, argon2-cffi), so no compiler is needed.
FROM python:3.11-slim-bookworm AS build

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
FROM python:3.11-slim-bookworm AS runtime

# A numeric user, so that Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
RUN groupadd --gid 10001 akta \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin akta \
    && mkdir -p /var/lib/akta \
    && chown 10001:10001 /var/lib/akta

COPY --from=build /opt/akta /opt/akta

# PYTHONDONTWRITEBYTECODE: the root filesystem is read-only in Kubernetes; pip compiled
# the bytecode at build time. Nothing else is written outside /tmp (gunicorn's heartbeat
# files; its control socket is disabled), PROMETHEUS_MULTIPROC_DIR and, in docstore's pods,
# $AKTA_DATA_DIR/tmp (spooled uploads, renditions in the making): emptyDirs in k8s/.
# AKTA_DATA_DIR: embedded mode's files, docstore's tmp, and defaults that real mode overrides.
ENV PATH="/opt/akta/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    AKTA_DATA_DIR=/var/lib/akta

WORKDIR /var/lib/akta
USER 10001:10001
EXPOSE 8000

CMD ["akta-embedded", "run", "--host", "0.0.0.0", "--port", "8000"]


# The docstore worker: the runtime plus what its converters run (the Makefile's SYSTEM_PACKAGES,
# which `make system-packages` installs for the tests, and more fonts). Plain Debian (bookworm)
# packages, without their recommendations (no Java, no desktop):
#   OCR: ocrmypdf, Tesseract with English, Danish and Norwegian data (AKTA_DOCSTORE_OCR_LANGUAGES),
#     and what ocrmypdf calls: Ghostscript (also its PDF/A), qpdf, unpaper, pngquant;
#   PDF/A of DOCX, ODT and XLSX: LibreOffice Writer and Calc without a GUI (soffice --headless);
#   previews: pdftoppm (poppler-utils);
#   fonts to lay out office files with: DejaVu (the tests draw with it) and the metric-compatible
#     stand-ins for Arial, Times New Roman, Courier New (Liberation), Calibri (Carlito) and
#     Cambria (Caladea), so that converted pages break where Word breaks them.
# ocrmypdf runs on Debian's own /usr/bin/python3, apart from the virtual environment.
FROM runtime AS docstore-worker

USER root
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ocrmypdf \
        tesseract-ocr \
        tesseract-ocr-eng \
        tesseract-ocr-dan \
        tesseract-ocr-nor \
        ghostscript \
        qpdf \
        unpaper \
        pngquant \
        libreoffice-writer-nogui \
        libreoffice-calc-nogui \
        poppler-utils \
        fonts-dejavu-core \
        fonts-liberation2 \
        fonts-crosextra-carlito \
        fonts-crosextra-caladea \
    && rm -rf /var/lib/apt/lists/*
USER 10001:10001


# The default target (the last stage): `docker build .` makes the image without the converters.
FROM runtime AS akta
