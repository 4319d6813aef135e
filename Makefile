# Headwater: `make run` and `make test` set up everything they need themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VENV_KFP := .venv-kfp
PIP := scripts/pip_install.sh
DATE ?= 2026-11-20
PYTEST_ARGS ?=

export HEADWATER_PROJECT_DIR := $(CURDIR)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
# freed batch memory goes back to the system (Dockerfile, headwater.clean.runner); no comment on the line itself:
# make keeps the spaces before it in the value, and Arrow rejects 'jemalloc  ' and falls back to mimalloc
export ARROW_DEFAULT_MEMORY_POOL := jemalloc

.PHONY: help install run airflow compile-pipeline docs test test-all test-cluster cluster cluster-down cluster-status search bench bench-gpu bench-cluster clean distclean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# An environment is (re)built only when it is missing or its requirements changed:
# the stamp file is older than any requirements file.
$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@echo "installing the Airflow environment into $(VENV) (first time: a few minutes) ..."
	@$(PIP) $(VENV)/bin/pip install -q -r requirements.txt -r requirements-dev.txt
	@$(PIP) $(VENV)/bin/pip install -q --no-deps -e .
	@touch $@

$(VENV_KFP)/.installed: kfp_components/requirements.txt kfp_components/requirements-dev.txt
	@test -x $(VENV_KFP)/bin/python || $(PYTHON) -m venv $(VENV_KFP)
	@echo "installing the training/KFP environment into $(VENV_KFP) (first time: a few minutes) ..."
	@$(PIP) $(VENV_KFP)/bin/pip install -q -r kfp_components/requirements.txt -r kfp_components/requirements-dev.txt
	@touch $@

install: $(VENV)/.installed $(VENV_KFP)/.installed ## create both environments if missing or stale

run: $(VENV)/.installed $(VENV_KFP)/.installed ## ingest DATE (default 2026-11-20) from the sample landing zone, then fine-tune (FORCE=1: even without new data) and print the eval table
	@$(VENV)/bin/headwater run --date $(DATE)
	@$(VENV)/bin/headwater finetune --date $(DATE)$(if $(FORCE), --force)

airflow: $(VENV)/.installed ## start the local Airflow UI (scheduler, dag-processor, triggerer, api-server) on PORT (default 8080) until Ctrl-C
	@$(VENV)/bin/headwater ui --port $(or $(PORT),8080)

compile-pipeline: $(VENV_KFP)/.installed ## recompile kfp_components/headwater_finetune_pipeline.yaml (the YAML the Airflow side submits)
	@$(VENV_KFP)/bin/python -m kfp_components.pipeline

docs: $(VENV)/.installed ## regenerate the README configuration reference and config/source.schema.json from the config models
	@PYTHONPATH=$(CURDIR)/include $(VENV)/bin/python -m headwater.config.reference --write --root $(CURDIR)

search: $(VENV)/.installed ## search the vector store: make search Q="glue coming apart"
	@$(VENV)/bin/headwater search "$(Q)"

test: $(VENV)/.installed $(VENV_KFP)/.installed ## unit, DAG and end-to-end tests (slow ones excluded)
	@scripts/install_debs.sh
	$(VENV)/bin/python -m pytest tests --ignore=tests/kfp_components -m "not slow" $(PYTEST_ARGS)
	@if [ -d tests/kfp_components ]; then $(VENV_KFP)/bin/python -m pytest tests/kfp_components -m "not slow" $(PYTEST_ARGS); fi

test-cluster: $(VENV)/.installed ## the real CeleryExecutor cluster test (tests/cluster, marker `cluster`, about 8 min idle; .ci/run runs it after make test)
	@scripts/install_debs.sh
	$(VENV)/bin/python -m pytest tests/cluster -m cluster -v $(PYTEST_ARGS)

cluster: $(VENV)/.installed ## start the local CeleryExecutor cluster (Postgres, Redis, S3, scheduler, 2 workers, ...) under .headwater/cluster; prints the API URL and login
	@scripts/install_debs.sh
	@$(VENV)/bin/python scripts/cluster.py up

cluster-down: ## stop the local cluster (data kept; WIPE=1 deletes .headwater/cluster)
	@$(VENV)/bin/python scripts/cluster.py down$(if $(WIPE), --wipe)

cluster-status: ## which processes of the local cluster run, and where its API is
	@$(VENV)/bin/python scripts/cluster.py status

# An existing training environment is used as it is: the bench never reinstalls it.
bench-gpu: ## QLoRA vs bf16 LoRA on a ~1B model built locally: peak GPU memory, tokens/s, NF4 vs bf16 perplexity (no CUDA: prints "no GPU", exits 0)
	@test -x $(VENV_KFP)/bin/python || $(MAKE) --no-print-directory $(VENV_KFP)/.installed
	$(VENV_KFP)/bin/python bench/gpu_finetune.py $(GPU_BENCH_ARGS)

bench-cluster: $(VENV)/.installed ## scaling simulation on the local cluster: FILES small files in one day (default 2000), see README "Scaling out"
	$(VENV)/bin/python bench/cluster_scale.py --files $(or $(FILES),2000)$(if $(MAX_MAP_LENGTH), --max-map-length $(MAX_MAP_LENGTH))

test-all: $(VENV)/.installed $(VENV_KFP)/.installed ## every test, slow ones included
	@scripts/install_debs.sh
	$(VENV)/bin/python -m pytest tests --ignore=tests/kfp_components $(PYTEST_ARGS)
	@if [ -d tests/kfp_components ]; then $(VENV_KFP)/bin/python -m pytest tests/kfp_components $(PYTEST_ARGS); fi

bench: $(VENV)/.installed ## clean stage vs naive pandas, our MinHash LSH vs datasketch (1M rows, cached in .headwater/bench), record linkage, embedding speed, retrieval quality, stream latency
	$(VENV)/bin/python bench/run.py $(BENCH_ARGS)
	$(VENV)/bin/python bench/linkage.py $(LINKAGE_BENCH_ARGS)
	$(VENV)/bin/python bench/embed_rerun.py
	$(VENV)/bin/python bench/embed_speed.py
	$(VENV)/bin/python bench/retrieval.py
	$(VENV)/bin/python bench/stream_latency.py $(STREAM_BENCH_ARGS)

clean: ## remove local outputs and the local Airflow home (.headwater/)
	rm -rf .headwater

distclean: clean ## also remove both environments
	rm -rf $(VENV) $(VENV_KFP)
