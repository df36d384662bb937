# Two commands set up and use a fresh machine: `make run` (the whole system) and `make test`
# (what CI runs). Both install what they need first and are safe to re-run.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

.PHONY: help setup run test generate lint bench fault reconcile show settle clean

# The operators' inputs are text. make expands a `$` in a variable given on its command line
# (`make settle REASON='paid $100'` would record "paid 00", and a `$(shell ...)` in it would run),
# so each one given there is taken as written and handed to the recipe's environment unexpanded.
OPERATOR_INPUTS := REF STATE BY REASON BANK_REF NEVER_BOOKED FROM TO
$(foreach v,$(OPERATOR_INPUTS),$(if $(filter command line,$(origin $(v))),$(eval override $(v) := $$(value $(v)))$(eval export $(v))))

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

node_modules/.gerbang-installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

.tools/bin/ferretdb: scripts/install-ferretdb.sh scripts/ferretdb-v1.24.2.patch
	@if [ -z "$${MONGODB_URI:-}" ]; then bash scripts/install-ferretdb.sh; fi

setup: node_modules/.gerbang-installed .tools/bin/ferretdb ## Install npm packages and the embedded database (idempotent)

run: setup ## Start database, sandboxes, bank services and gateway on loopback; Ctrl-C stops all
	npx tsx scripts/run.ts

test: setup ## Proto lint, gen/ freshness, eslint, type check, all jest suites, then the full fault-injection suite
	npm run all
	npx jest -c test/fault/jest.full.config.js

generate: node_modules/.gerbang-installed ## Regenerate gen/ from proto/ (buf generate)
	npm run generate

lint: node_modules/.gerbang-installed ## eslint with warnings as errors, and buf lint
	npm run lint:proto
	npm run lint

bench: setup ## Benchmarks (not part of the tests): hot functions, then every hop under load; results in bench/results/
	npx tsx bench/micro.ts
	npx tsx bench/run.ts

fault: setup ## The full fault-injection suite: real processes, kill -9, outages, every sandbox fault
	npx jest -c test/fault/jest.full.config.js

# The operators' targets work on a running system (make run, or MONGODB_URI and the bank services):
# they install packages only if none are (order-only), never reinstall under a running system.
reconcile: | node_modules/.gerbang-installed ## Compare the ledger with the banks over a time range, with the system running: make reconcile FROM=2026-11-27 TO=2026-11-28 (bare dates are Jakarta days)
	@# From the environment, as settle's: a value with a quote in it is text, never shell.
	npx tsx scripts/reconcile.ts --from "$${FROM:-}" --to "$${TO:-}"

show: | node_modules/.gerbang-installed ## One transfer as the ledger holds it (every attempt, every send, the review reason), with the system running: make show REF=GRB...
	npx tsx scripts/show.ts "$${REF:-}"

settle: | node_modules/.gerbang-installed ## Settle a transfer in MANUAL_REVIEW after checking with the bank, with the system running: make settle REF=GRB... STATE=FAILED BY=you REASON="what the bank said" [BANK_REF=...] [NEVER_BOOKED=yes]
	@# From the environment, not pasted into the command line: a quote or a backtick in REASON stays text.
	npx tsx scripts/settle.ts --reference "$${REF:-}" --state "$${STATE:-}" --by "$${BY:-}" --reason "$${REASON:-}" $${BANK_REF:+--bank-reference "$$BANK_REF"} $${NEVER_BOOKED:+--never-booked "$$NEVER_BOOKED"}

clean: ## Remove local state (databases, logs); keeps installed tools
	rm -rf .state
