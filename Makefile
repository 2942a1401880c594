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

# make run / make airflow on a copy of the real lake instead of the sample: LAKE=DIR, laid out
# like the bucket (make fetch-lake DIR=... writes one); its state lives in .local/aws-lake/.
# LAKE and an explicit SCALE are alternatives (both given: refused).
LAKE ?=
# make run's dates: START=YYYY-MM-DD DAYS=N (defaults 2020-04-01 and 3; with LAKE 2020-03-30 and 3)
START ?=
DAYS ?=
# make fetch-lake: where the ten objects go; ENDPOINT_URL stands in for S3 (tests, a mirror)
DIR ?= .local/real-lake
ENDPOINT_URL ?=

SOURCE_ARGS = $(if $(LAKE),--lake "$(LAKE)" $(if $(filter-out file,$(origin SCALE)),--scale $(SCALE)),--scale $(SCALE))

.PHONY: run airflow test bench sample fetch-lake lock clean help

help:
	@echo "make run    - the pipeline on the offline sample lake (creates .venv on first use)"
	@echo "make airflow - local_aws + Airflow (UI on http://localhost:8080), no Docker; Ctrl-C stops it"
	@echo "make test   - the whole test suite"
	@echo "make bench  - speed and memory benchmarks [BASELINE=<git rev>: old beside new; ONLY=dag]"
	@echo "make sample - write the synthetic lake to .local/sample-lake (SCALE=small|full|x10)"
	@echo "make fetch-lake DIR=... - download the real lake's ten objects (unsigned, needs internet)"
	@echo "make run LAKE=DIR [START=YYYY-MM-DD DAYS=N] - the pipeline on a local copy of the real lake"
	@echo "make lock   - re-resolve requirements.txt and rewrite constraints.txt"

$(STAMP): pyproject.toml requirements.txt requirements-local-aws.txt requirements-dev.txt constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# The project itself, editable: its packages import from anywhere in the venv, no PYTHONPATH.
	$(PY) -m pip install --quiet -c constraints.txt -e '.[local-aws,dev]'
	@# (venvs made before pyproject.toml reached the packages through this file)
	@rm -f "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/covid_lake_paths.pth"
	@touch $(STAMP)

# The client suite's awswrangler, in a venv of its own (requirements-awswrangler.txt says why).
WR_VENV  := .local/awswrangler-venv
WR_STAMP := $(WR_VENV)/.installed

$(WR_STAMP): requirements-awswrangler.txt
	@test -x $(WR_VENV)/bin/python || $(PYTHON) -m venv $(WR_VENV)
	$(WR_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(WR_VENV)/bin/python -m pip install --quiet --no-deps -r requirements-awswrangler.txt
	$(WR_VENV)/bin/python -m pip check
	@touch $(WR_STAMP)

# The newest boto3/botocore the index serves, for tests/clients/test_newest_sdk.py
# (requirements-newest-sdk.txt says why it is not the project's pin).
SDK_VENV  := .local/newest-sdk-venv
SDK_STAMP := $(SDK_VENV)/.installed

$(SDK_STAMP): requirements-newest-sdk.txt
	@test -x $(SDK_VENV)/bin/python || $(PYTHON) -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SDK_VENV)/bin/python -m pip install --quiet --no-deps -r requirements-newest-sdk.txt
	$(SDK_VENV)/bin/python -m pip check
	@touch $(SDK_STAMP)

run: $(STAMP)
	$(PY) -m covid_lake_dev.offline_run $(SOURCE_ARGS) $(if $(START),--start $(START)) $(if $(DAYS),--days $(DAYS))

airflow: $(STAMP)
	$(PY) -m covid_lake_dev.local_airflow $(SOURCE_ARGS) $(AIRFLOW_ARGS)

# Test files are spread over TEST_WORKERS processes (pytest-xdist); a file's tests stay together,
# so module fixtures (an emulator, a warehouse) are built once, in the order the suite collects
# them: the files of minutes first (tests/support/file_order.py). TEST_WORKERS=0: one process.
# 3 on 2 cores: the heavy files wait on their stacks' runs as much as they compute, and the
# light files wait on their subprocesses (docs/performance.md, "make test": 809 s on 2, 738 on 3).
TEST_WORKERS ?= 3

test: $(STAMP) $(WR_STAMP) $(SDK_STAMP)
	$(PY) -m pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder)

# make bench BASELINE=<git revision>: old and new side by side (benchmarks/run.py); ONLY=dag|...
BASELINE ?=
ONLY ?= all
bench: $(STAMP)
	$(PY) -m benchmarks.run --only $(ONLY) $(if $(BASELINE),--baseline $(BASELINE))

sample: $(STAMP)
	$(PY) -m covid_lake_dev.sample_lake .local/sample-lake --scale $(SCALE)

fetch-lake: $(STAMP)
	$(PY) -m covid_lake_dev.fetch_lake "$(DIR)" $(if $(ENDPOINT_URL),--endpoint-url $(ENDPOINT_URL))

lock:
	rm -rf .local/lock-venv && $(PYTHON) -m venv .local/lock-venv
	.local/lock-venv/bin/pip install --quiet --upgrade pip
	cat requirements.txt requirements-local-aws.txt requirements-dev.txt > .local/lock-venv/requirements.in
	.local/lock-venv/bin/pip install --quiet -r .local/lock-venv/requirements.in
	( echo "# Full resolved set for requirements*.txt (pip freeze of a fresh venv). Regenerate with 'make lock'."; \
	  .local/lock-venv/bin/pip freeze ) > constraints.txt

clean:
	rm -rf .local .pytest_cache
