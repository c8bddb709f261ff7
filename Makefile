# gorbert: BERT end to end in Go on Gorgonia.
# The two set-up commands: `make demo` (pretrain a small BERT from text every
# Go installation has) and `make test` (the whole test suite).
GO ?= go
BIN := bin

.PHONY: all build test test-short bench demo lint fuzz clean

all: build

build:
	$(GO) build -o $(BIN)/ ./cmd/...

# Unit tests plus the HuggingFace conformance suites (../shared/conformance;
# they skip with a message where it is absent).
test: lint
	$(GO) test -count=1 -timeout 25m ./...

test-short:
	$(GO) test -short ./...

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

demo:
	./scripts/demo.sh

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzEncode -fuzztime 60s ./tokenizer

clean:
	rm -rf $(BIN) demo-out
