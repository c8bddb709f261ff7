# gorbert: BERT end to end in Go on Gorgonia.
# The two set-up commands: `make demo` (pretrain a small BERT from text every
# Go installation has) and `make test` (the whole test suite).
GO ?= go
BIN := bin

.PHONY: finetune-demo bench-profile all build build-pure test test-short test-openblas bench demo notebooks lint fuzz clean

all: build

# The default build links OpenBLAS (installing Debian's libopenblas-dev when
# missing and possible) and falls back to the pure-Go BLAS; `make build-pure`
# forces the latter.
build:
	@tags=$$(./scripts/openblas.sh); echo "building$${tags:+ with -tags $$tags}"; \
	$(GO) build $${tags:+-tags $$tags} -o $(BIN)/ ./cmd/...

build-pure:
	$(GO) build -o $(BIN)/ ./cmd/...

# Unit tests plus the HuggingFace conformance suites (../shared/conformance;
# they skip with a message where it is absent).
test: lint
	$(GO) test -count=1 -timeout 25m ./...
	$(MAKE) test-openblas

# The whole suite again on the OpenBLAS build (installed through apt-get when
# missing and possible; skipped with a message otherwise).
test-openblas:
	@tags=$$(./scripts/openblas.sh); if [ -n "$$tags" ]; then \
		$(GO) test -count=1 -timeout 25m -tags $$tags ./...; \
	else echo "OpenBLAS not available: skipping the OpenBLAS test run"; fi

test-short:
	$(GO) test -short ./...

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Ours vs PyTorch (../shared/perf/bert_bench.py on Debian's python3-torch,
# installed when missing), interleaved round by round, one markdown table.
bench:
	@/usr/bin/python3 -c 'import torch' 2>/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch) || echo "python3-torch unavailable: our numbers only"
	@tags=$$(./scripts/openblas.sh); $(GO) run ./bench/benchtable -tags "$$tags" -rounds 3

# Where the time goes in a BERT-base forward pass, per op kind.
bench-profile:
	@tags=$$(./scripts/openblas.sh); $(GO) test $${tags:+-tags $$tags} -run '^$$' -bench 'OpProfile_Base_B1_S128$$' -benchtime 10x ./bench/

demo:
	./scripts/demo.sh

# Fine-tune classify, NER and QA on data made from the Go docs (no download),
# from demo-out/run/final when `make demo` has run, else from random weights.
finetune-demo:
	./scripts/finetune-demo.sh

# Execute every notebook headless (installs Jupyter and the GoNB kernel when missing).
notebooks:
	bash scripts/notebooks.sh

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzEncode -fuzztime 60s ./tokenizer

clean:
	rm -rf $(BIN) demo-out
