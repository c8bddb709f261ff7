# gorbert: BERT end to end in Go on Gorgonia.
# The two set-up commands: `make demo` (pretrain a small BERT from text every
# Go installation has) and `make test` (the whole test suite).
GO ?= go
BIN := bin

.PHONY: all build test test-short test-openblas bench demo notebooks lint fuzz clean

all: build

build:
	$(GO) build -o $(BIN)/ ./cmd/...

# Unit tests plus the HuggingFace conformance suites (../shared/conformance;
# they skip with a message where it is absent).
test: lint
	$(GO) test -count=1 -timeout 25m ./...
	$(MAKE) test-openblas

# The conformance suites again on the OpenBLAS build (installed through
# apt-get when missing and possible; skipped with a message otherwise).
test-openblas:
	@tags=$$(./scripts/openblas.sh); if [ -n "$$tags" ]; then \
		$(GO) test -count=1 -tags $$tags ./internal/gx/ ./graph/ ./train/ ./cmd/... ./pipeline/ ./export/; \
	else echo "OpenBLAS not available: skipping the OpenBLAS conformance run"; fi

test-short:
	$(GO) test -short ./...

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

demo:
	./scripts/demo.sh

# Execute every notebook headless (installs Jupyter and the GoNB kernel when missing).
notebooks:
	bash scripts/notebooks.sh

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzEncode -fuzztime 60s ./tokenizer

clean:
	rm -rf $(BIN) demo-out
