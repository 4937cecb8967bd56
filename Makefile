# The two commands: `make run` and `make test`. Everything else is a helper of those.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml assessments/xblocks/pyproject.toml requirements/constraints.txt | cksum | cut -d' ' -f1)


.PHONY: run test install lint format bench lock messages clean

$(STAMP): pyproject.toml assessments/xblocks/pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e ./assessments/xblocks -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@$(BIN)/python manage.py demo_logins --port $(PORT)
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench

messages: $(STAMP)
	$(BIN)/python manage.py makemessages --locale en --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'fixtures/*' --ignore 'bench/*'
	$(BIN)/python manage.py compilemessages --locale en --ignore '.venv/*'

lock:
	rm -rf /tmp/dx-lock-venv && $(PYTHON) -m venv /tmp/dx-lock-venv
	/tmp/dx-lock-venv/bin/pip install --quiet ".[dev]"
	/tmp/dx-lock-venv/bin/pip freeze --exclude-editable --all | grep -v '^pip==' > requirements/constraints.txt

clean:
	rm -rf $(VENV) var/*.sqlite3 .pytest_cache
