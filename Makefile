# Akta — one command to run, one to test. Only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SERVICES := identity cases docstore dispatch intake retention gateway
PACKAGES := libs $(addprefix services/,$(SERVICES))
STAMP := $(VENV)/.installed
# What the docstore's converters run (OCR, PDF/A, previews), and the font the tests draw with.
# `make run` needs none of them: those renditions then fail with a reason.
SYSTEM_PACKAGES := tesseract-ocr tesseract-ocr-dan tesseract-ocr-nor ocrmypdf libreoffice-writer-nogui \
	libreoffice-calc-nogui poppler-utils qpdf ghostscript unpaper pngquant fonts-dejavu-core

.PHONY: help install system-packages run test test-unit test-integration test-e2e lint contracts bench clean

help:
	@echo "make run               all services in one process on http://127.0.0.1:8000 (embedded mode)"
	@echo "make system-packages   install the programs of OCR, PDF/A and previews (apt-get, as root)"
	@echo "make test              every test: unit, integration (PostgreSQL, RabbitMQ), end to end"
	@echo "make test-unit         fast tests without I/O"
	@echo "make test-integration  tests against the real PostgreSQL and RabbitMQ"
	@echo "make test-e2e          the flows over HTTP, embedded and real mode"
	@echo "make contracts         write docs/asyncapi.yaml and docs/schemas/*.json"
	@echo "make bench             benchmarks (figures go to docs/benchmarks.md)"
	@echo "make serve-SERVICE / worker-SERVICE / relay-SERVICE / migrate-SERVICE   real mode, one part"

$(STAMP): $(addsuffix /pyproject.toml,$(PACKAGES)) requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(addprefix -e ,$(PACKAGES)) -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# Installs the missing SYSTEM_PACKAGES on Debian/Ubuntu as root (CI). Anywhere else it only says
# what is missing, and the converter tests skip (or fail under AKTA_REQUIRE_SERVICES=1).
system-packages:
	@if ! command -v dpkg-query >/dev/null; then echo "system-packages: no dpkg here; install by hand: $(SYSTEM_PACKAGES)"; exit 0; fi; \
	installed=" $$(dpkg-query --show --showformat='$${db:Status-Abbrev}$${Package} ' $(SYSTEM_PACKAGES) 2>/dev/null)"; \
	missing=""; \
	for package in $(SYSTEM_PACKAGES); do \
		case "$$installed" in *" ii $$package "*) ;; *) missing="$$missing $$package" ;; esac; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then echo "system-packages: missing$$missing; run 'sudo make system-packages'"; exit 0; fi; \
	echo "system-packages: installing$$missing"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing

run: $(STAMP)
	$(BIN)/akta-embedded run

test: $(STAMP) system-packages
	$(BIN)/python -m pytest tests

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

test-integration: $(STAMP) system-packages
	$(BIN)/python -m pytest tests/integration

test-e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e

lint: $(STAMP)
	$(BIN)/ruff check libs services tests bench

contracts: $(STAMP)
	$(BIN)/akta-contracts export --out docs

# Every bench/*.py in turn (bench/support.py is their shared code, not a benchmark); each prints
# its figures and writes its section of docs/benchmarks.md.
bench: $(STAMP)
	@set -e; for script in $(filter-out bench/support.py,$(sort $(wildcard bench/*.py))); do echo "== $$script"; $(BIN)/python $$script; done

.PHONY: bench-authz
bench-authz: $(STAMP)
	$(BIN)/python bench/authz.py

serve-%: $(STAMP)
	AKTA_MODE=real $(BIN)/akta-$* serve

worker-%: $(STAMP)
	AKTA_MODE=real $(BIN)/akta-$* worker

relay-%: $(STAMP)
	AKTA_MODE=real $(BIN)/akta-$* relay

migrate-%: $(STAMP)
	AKTA_MODE=real $(BIN)/akta-$* migrate

clean:
	rm -rf $(VENV) var .pytest_cache
