# gorbert: two set-up commands, `make demo` and `make test`.
GO ?= go
BIN := bin

.PHONY: all build test test-short bench demo lint clean

all: build

build:
	$(GO) build -o $(BIN)/ ./cmd/...

test: lint
	$(GO) test -count=1 -timeout 25m ./...

test-short:
	$(GO) test -short ./...

lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf $(BIN)
