# One command sets up and runs each job on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test lint typecheck manifest benchmark notebook clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	# An editable install leaves the bytecode to the first import, which never keeps it where
	# PYTHONDONTWRITEBYTECODE is set; compile it now, as pip does for a regular install.
	$(BIN)/python -m compileall -q eventstudy
	touch $(STAMP)

report: $(STAMP)  ## regenerate the default report in reports/
	$(BIN)/eventstudy report

test: $(STAMP)  ## lint, type-check, then the whole test suite
	$(BIN)/ruff check eventstudy tests
	$(BIN)/mypy eventstudy
	$(BIN)/eventstudy verify > /dev/null  # the gate: reported headline figures must stay supported
	$(BIN)/python -m pytest; code=$$?; if [ $$code -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$code

lint: $(STAMP)
	$(BIN)/ruff check eventstudy tests
	$(BIN)/ruff format --check eventstudy tests

typecheck: $(STAMP)
	$(BIN)/mypy eventstudy

notebook: $(STAMP)  ## execute notebooks/ in place, so the committed copies show their outputs
	$(BIN)/python notebooks/execute.py

manifest: $(STAMP)  ## rewrite data/MANIFEST.sha256 after changing bundled data on purpose
	$(BIN)/python -m eventstudy.data.manifest data

LEMAIRE := benchmarks/.lemaire

# Lemaire's package is also called "eventstudy": it goes in its own folder, used only by
# the benchmark's comparison subprocess.
$(LEMAIRE)/eventstudy/__init__.py: $(STAMP)
	$(BIN)/python -m pip install --quiet --no-deps --target $(LEMAIRE) eventstudy==0.1a12

benchmark: $(STAMP) $(LEMAIRE)/eventstudy/__init__.py
	$(BIN)/python benchmarks/bench_engine.py --lemaire $(LEMAIRE)
	$(BIN)/python benchmarks/bench_files.py --lemaire $(LEMAIRE)
	$(BIN)/python benchmarks/bench_parquet.py
	$(BIN)/python benchmarks/bench_partitioned.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
