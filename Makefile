# 法网格 — the two commands: `make dev` and `make test`. A fresh machine needs Python 3.11, Node 20,
# Java 17 and make; everything else is installed here.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: dev test unit integration clients proof bench package clean help

help:
	@echo "make dev    - local AWS + demo data + API on http://127.0.0.1:$${PORT:-8000}"
	@echo "make test   - the whole suite (unit on moto, integration on DynamoDB Local, packaging)"
	@echo "make clients - generate the Python and TypeScript clients from the served document and try them"
	@echo "make proof  - the proof suite (access matrix, fuzzing, faults, privacy, workflow, concurrency) with more examples"
	@echo "make bench  - cold-start, zip size and DynamoDB calls per request"

$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check 'pip>=24,<26.3'  # chalice 1.34 wants pip<26.3
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

# The Node tools a mini-program team would use (openapi-typescript, openapi-fetch, tsc), pinned by the lock.
CLIENT_TOOLS := tests/clients/node_modules/.package-lock.json
$(CLIENT_TOOLS): tests/clients/package-lock.json
	npm ci --prefix tests/clients --no-audit --no-fund --loglevel=error

dev: $(STAMP)
	$(PY) -m tools.dev

# The whole suite, then the core's tests again with no plugin enabled: the core must stand on its own.
# On one pytest-xdist worker per core (TEST_WORKERS=1 for one process); the integration tests stay together
# on one worker, which starts DynamoDB Local once (tests/conftest.py groups them). Run side by side instead,
# the two took as long (7:24 both ways on the 2-core machine: the suite is bound by its ~840 s of CPU).
TEST_WORKERS ?= auto
XDIST := -n $(TEST_WORKERS) --dist loadgroup

# Bytecode written and kept (whatever PYTHONDONTWRITEBYTECODE the shell sets): the suite starts some thirty
# interpreters (xdist's workers twice, the zip's probes, the tour's token commands, the copied template's
# suite), and each compiled every module of the project it imported. compile_package drops it from the zip.
test: export PYTHONDONTWRITEBYTECODE :=
test: $(STAMP) $(CLIENT_TOOLS)
	$(PY) -m compileall -q -j 0 app.py chalicelib plugins tools infra
	$(PY) -m pytest $(XDIST)
	TEST_ENABLED_PLUGINS=none $(PY) -m pytest $(XDIST) -m "not integration and not packaging" tests/core

unit: $(STAMP)
	$(PY) -m pytest $(XDIST) -m "not integration and not packaging and not clients"

integration: $(STAMP)
	$(PY) -m pytest -m integration

clients: $(STAMP) $(CLIENT_TOOLS)
	$(PY) -m pytest -m clients tests/clients

# tests/proof runs in `make test` with a few examples per operation; here with many more (docs/proof.md).
proof: $(STAMP)
	PROOF_EXAMPLES=$${PROOF_EXAMPLES:-50} $(PY) -m pytest tests/proof tests/integration/test_concurrency_on_local.py

bench: $(STAMP)
	$(PY) -m bench

# Then the route manifest the app mounts its routes from (tools/route_manifest.py), and the bytecode of
# every module a cold start imports, compiled by the runtime's Python into the zip (Lambda's /var/task is
# read-only: without it each cold start compiles them all; tools/compile_package.py). Then the operators' log
# groups, alarms and dashboard (infra/operations.py), and cfn-lint with the serverless rules (.cfnlintrc.yaml).
package: $(STAMP)
	AWS_DEFAULT_REGION=cn-northwest-1 $(VENV)/bin/chalice package --stage $${STAGE:-prod} \
		--merge-template infra/resources.json build/$${STAGE:-prod}
	$(PY) -m tools.route_manifest build/$${STAGE:-prod}/deployment.zip
	$(PY) -m tools.compile_package build/$${STAGE:-prod}/deployment.zip
	$(PY) -m infra.operations build/$${STAGE:-prod}/sam.json
	$(VENV)/bin/cfn-lint build/$${STAGE:-prod}/sam.json

clean:
	rm -rf build .pytest_cache
