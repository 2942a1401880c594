# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# Everything runs inside .venv, created on first use from the pinned requirements.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SCALE  ?= small

export AIRFLOW_HOME ?= $(CURDIR)/.local/airflow
export AIRFLOW__CORE__LOAD_EXAMPLES ?= False

# make airflow: ports and state directory (defaults: 8080, 5050, .local)
AIRFLOW_ARGS ?=

.PHONY: run airflow test bench sample lock clean help

help:
	@echo "make run    - the pipeline on the offline sample lake (creates .venv on first use)"
	@echo "make airflow - local_aws + Airflow (UI on http://localhost:8080), no Docker; Ctrl-C stops it"
	@echo "make test   - the whole test suite"
	@echo "make bench  - speed and memory benchmarks"
	@echo "make sample - write the synthetic lake to .local/sample-lake (SCALE=small|full|x10)"
	@echo "make lock   - re-resolve requirements.txt and rewrite constraints.txt"

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	@# The pipeline package (include/) and the emulator (local_aws/) import from anywhere in the venv.
	@site=$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') && \
	  printf '%s\n%s\n' "$(CURDIR)" "$(CURDIR)/include" > "$$site/covid_lake_paths.pth"
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m covid_lake.offline_run --scale $(SCALE)

airflow: $(STAMP)
	$(PY) -m covid_lake.local_airflow --scale $(SCALE) $(AIRFLOW_ARGS)

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m benchmarks.run

sample: $(STAMP)
	$(PY) -m local_aws.sample_lake .local/sample-lake --scale $(SCALE)

lock:
	rm -rf .local/lock-venv && $(PYTHON) -m venv .local/lock-venv
	.local/lock-venv/bin/pip install --quiet --upgrade pip
	cat requirements.txt requirements-dev.txt | grep -v '^-c' > .local/lock-venv/requirements.in
	.local/lock-venv/bin/pip install --quiet -r .local/lock-venv/requirements.in
	( echo "# Full resolved set for requirements*.txt (pip freeze of a fresh venv). Regenerate with 'make lock'."; \
	  .local/lock-venv/bin/pip freeze ) > constraints.txt

clean:
	rm -rf .local .pytest_cache
