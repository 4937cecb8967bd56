# The two commands: `make run` and `make test`. Everything else is a helper of those.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml assessments/xblocks/pyproject.toml requirements/constraints.txt | cksum | cut -d' ' -f1)


.PHONY: run test fuzz install lint format bench lock messages clean

# PYTHONWARNINGS: setuptools tells every editable install that it is one (a notice, not news).
$(STAMP): pyproject.toml assessments/xblocks/pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e ./assessments/xblocks -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --port $(PORT)
	@$(BIN)/python manage.py runserver --demo-logins 127.0.0.1:$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The bad-input suites with many more examples than `make test` runs (the "fuzz" Hypothesis profile).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/fuzz -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# `make bench` runs every suite; BENCH_STAFF=3000000 runs the analytics and snapshot suites at that size
# (docs/scale.md), BENCH_SUITE=web one suite only.
bench: $(STAMP)
	$(BIN)/python -m bench $(if $(BENCH_SUITE),--suite $(BENCH_SUITE)) $(if $(BENCH_STAFF),--staff $(BENCH_STAFF)) $(BENCH_ARGS)

messages: $(STAMP)
	$(BIN)/python manage.py makemessages --locale en --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'fixtures/*' --ignore 'bench/*' --ignore 'assessments/xblocks/*'
	$(BIN)/python manage.py compilemessages --locale en --ignore '.venv*' --ignore 'var/*'

lock:
	rm -rf /tmp/dx-lock-venv && $(PYTHON) -m venv /tmp/dx-lock-venv
	/tmp/dx-lock-venv/bin/pip install --quiet ".[dev]"
	/tmp/dx-lock-venv/bin/pip freeze --exclude-editable --all | grep -v '^pip==' > requirements/constraints.txt

clean:
	rm -rf $(VENV) var/*.sqlite3 .pytest_cache

# The XBlock distribution (assessments/xblocks). `xblock-test` installs it from a wheel into fresh
# environments under Python 3.11 (PYTHON) and 3.12 (PYTHON312) and runs tests/xblocks there with no
# Django; then runs the workbench smoke test in the workbench environment. `workbench` serves the
# scenarios in the xblock-sdk workbench at http://127.0.0.1:8001 (PORT=... to change). The environments
# live in var/xblock-venvs/ (ignored by git).
XBLOCK_VENVS   := var/xblock-venvs
PYTHON312      ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12; do "$$p" -c '' >/dev/null 2>&1 && { echo "$$p"; break; }; done)
WORKBENCH_VENV := $(XBLOCK_VENVS)/workbench
WORKBENCH_STAMP := $(WORKBENCH_VENV)/.installed-$(shell cat assessments/xblocks/pyproject.toml | cksum | cut -d' ' -f1)
WORKBENCH_PORT := $(if $(filter command line environment,$(origin PORT)),$(PORT),8001)
WORKBENCH_ENV  := PYTHONPATH=assessments/xblocks DJANGO_SETTINGS_MODULE=dx_workbench_settings

.PHONY: xblock-test workbench

$(WORKBENCH_STAMP): assessments/xblocks/pyproject.toml
	rm -rf $(WORKBENCH_VENV) && $(PYTHON) -m venv $(WORKBENCH_VENV)
	$(WORKBENCH_VENV)/bin/python -m pip install --quiet -e "./assessments/xblocks[test,workbench]"
	rm -rf assessments/xblocks/build
	touch $@

xblock-test: $(WORKBENCH_STAMP)
	@test -n "$(PYTHON312)" || { echo "xblock-test: no working python3.12 found; set PYTHON312=/path/to/python3.12"; exit 1; }
	rm -rf $(XBLOCK_VENVS)/dist && $(PYTHON) -m pip wheel --quiet --no-deps -w $(XBLOCK_VENVS)/dist ./assessments/xblocks
	rm -rf assessments/xblocks/build
	@set -e; wheel=$$(ls $(XBLOCK_VENVS)/dist/*.whl); for python in "$(PYTHON)" "$(PYTHON312)"; do \
	    venv=$(XBLOCK_VENVS)/$$(basename "$$python"); \
	    echo "--- $$(basename $$wheel) in a fresh $$("$$python" --version) environment, no Django ($$venv)"; \
	    rm -rf "$$venv" && "$$python" -m venv "$$venv"; \
	    "$$venv/bin/python" -m pip install --quiet "$$wheel[test]"; \
	    DX_XBLOCKS_EXPECT_INSTALLED=1 "$$venv/bin/python" -m pytest tests/xblocks -q -m "not workbench"; \
	done
	@echo "--- the workbench smoke test ($(WORKBENCH_VENV))"
	$(WORKBENCH_VENV)/bin/python -m pytest tests/xblocks -q -m workbench

workbench: $(WORKBENCH_STAMP)
	$(WORKBENCH_ENV) $(WORKBENCH_VENV)/bin/python -m django migrate --run-syncdb --noinput
	$(WORKBENCH_ENV) $(WORKBENCH_VENV)/bin/python -m django runserver 127.0.0.1:$(WORKBENCH_PORT)
