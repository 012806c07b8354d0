# Steward — two commands do all the set-up on a fresh Debian/Ubuntu machine:
#   make run    installs what is missing, builds, opens the app on sample-data/
#   make test   installs what is missing, runs every test (Rust, UI, desktop end-to-end, packages)
#   make dist   builds the Debian packages (the app with the CLI; the registry with its systemd unit)
#
# CARGO_TARGET_DIR may point outside the clone to reuse a warm build (CI does this).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO_TARGET_DIR ?= $(CURDIR)/target
export CARGO_TARGET_DIR
DESKTOP_BIN := $(CARGO_TARGET_DIR)/debug/steward-desktop
WORKSPACE ?= $(CURDIR)/sample-data
STAGE := scripts/stage.sh

.PHONY: run test setup ui desktop dist test-rust test-ui test-e2e test-dist bindings schemas sample-data fmt clean-stages

## Open the desktop app on the sample workspace.
run:
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "make run opens a desktop window, but this session has no display (DISPLAY and WAYLAND_DISPLAY are unset)."; \
	  echo "On a machine without a display, run it under a virtual one:"; \
	  echo ""; \
	  echo "    xvfb-run -a make run"; \
	  echo ""; \
	  exit 1; \
	fi
	scripts/setup.sh
	$(MAKE) --no-print-directory desktop
	@echo "Opening Steward on $(WORKSPACE)"
	scripts/run.sh "$(WORKSPACE)" "$(DESKTOP_BIN)" "$(CARGO_TARGET_DIR)/debug/steward-registry"

## Run every test, timing each stage.
test: clean-stages
	$(STAGE) setup scripts/setup.sh
	$(STAGE) "ui unit tests" $(MAKE) --no-print-directory test-ui
	$(STAGE) "ui build" $(MAKE) --no-print-directory ui
	$(STAGE) "rust tests" $(MAKE) --no-print-directory test-rust
	$(STAGE) "desktop build" $(MAKE) --no-print-directory desktop
	$(STAGE) "desktop e2e" $(MAKE) --no-print-directory test-e2e
	$(STAGE) "packages" $(MAKE) --no-print-directory test-dist
	@$(STAGE) --summary

clean-stages:
	@rm -f "$(CARGO_TARGET_DIR)/.stages"

ui:
	cd ui && npm run build

desktop: ui
	cargo build -p steward-desktop -p steward-registry --bins

## Build the Debian packages (release) into $(CARGO_TARGET_DIR)/dist.
dist:
	scripts/setup.sh
	scripts/dist.sh release

## Install the packages with apt, run the installed registry and app, and remove them again.
test-dist:
	tests/dist/installed.sh

test-ui:
	cd ui && npm run typecheck && npm run lint && npm test

test-rust:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	scripts/check-architecture.sh
	STEWARD_ODCS_PYTHON="$(CARGO_TARGET_DIR)/tools/odcs-venv/bin/python" STEWARD_CONSUMER_PYTHON="$(CARGO_TARGET_DIR)/tools/consumer-venv/bin/python" scripts/with-keyring.sh cargo test --workspace --exclude steward-desktop

test-e2e:
	STEWARD_DESKTOP_BIN="$(DESKTOP_BIN)" STEWARD_REGISTRY_BIN="$(CARGO_TARGET_DIR)/debug/steward-registry" node --test --test-reporter=spec tests/e2e/

## Regenerate ui/src/bindings.ts from the Rust IPC types, and the grid fixture of every type.
bindings:
	STEWARD_UPDATE_BINDINGS=1 cargo test -p steward-ipc typescript_
	STEWARD_UPDATE_BINDINGS=1 cargo test -p steward-sources --test ui_fixture

## Regenerate schemas/product-v1.schema.json from the Rust types of the product format.
schemas:
	STEWARD_UPDATE_SCHEMAS=1 cargo test -p steward-model json_schema_is_fresh

## Regenerate the committed demo workspace (deterministic).
sample-data:
	cargo run -q -p steward-samplegen -- --out sample-data

fmt:
	cargo fmt --all
