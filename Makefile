# Ticketing: every command a developer needs. `make dev` and `make test` are the two that matter.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export CARGO_TARGET_DIR ?= $(HOME)/.cache/ticketing-target
VENV := .venv
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help dev test build build-rust build-web deps deps-python deps-web deps-browser \
        test-rust test-web test-e2e lint lint-template fmt clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

dev: deps build ## install what is missing, build, run the whole product on http://localhost:3000
	@echo "==> starting the local stack (Ctrl-C stops it)"
	@scripts/stack.sh

test: deps deps-browser build ## every check: format, clippy, Rust unit + integration, web unit, browser end-to-end, template lint
	@echo "==> formatting check"
	cargo fmt --all --check
	@$(MAKE) --no-print-directory lint test-rust test-web test-e2e
	@echo "==> all checks passed"

# ---------- install what is missing ----------
deps: deps-python deps-web ## install the Python venv (moto, cfn-lint) and the npm packages

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
build: build-rust build-web ## build every function, the local gateway and the web app

build-rust:
	@echo "==> building the functions and the local gateway (cargo, debug)"
	cargo build --workspace

build-web: deps-web
	@echo "==> building the web app"
	cd web && npm run build

# ---------- checks ----------
test-rust: deps-python ## Rust unit and integration tests (against a fresh moto)
	@echo "==> Rust tests"
	scripts/with-moto.sh cargo test --workspace

test-web: deps-web ## web unit tests
	@echo "==> web unit tests"
	cd web && npm test

test-e2e: deps deps-browser build ## browser end-to-end tests against the local stack
	@echo "==> browser end-to-end tests"
	cd web && npm run e2e

lint-template: deps-python ## cfn-lint on template.yaml
	@echo "==> cfn-lint template.yaml"
	$(VENV)/bin/cfn-lint template.yaml

lint: lint-template ## clippy (warnings are errors) and cfn-lint
	@echo "==> clippy"
	cargo clippy --workspace --all-targets -- -D warnings

fmt: ## format the Rust code
	cargo fmt --all

clean: ## remove build outputs and installed packages of this checkout
	rm -rf $(VENV) web/node_modules web/dist .local
