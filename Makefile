# The two commands a newcomer needs: `make run` and `make test`. Both install what is
# missing first (scripts/install-deps), so they work on a fresh Debian 12 machine.

JOBS ?= $(shell nproc)

.PHONY: all deps build run test asan-build bench bench-import bench-static fuzz format clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

run: build
	@scripts/run-demo

# The test suite runs on the sanitizer build: every test also checks for memory errors and
# undefined behaviour.
asan-build: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)

test: asan-build
	@ctest --preset asan -j $(JOBS)

bench: build
	@bench/run

bench-import: build
	@bench/import

bench-static: build
	@bench/static

# Every libFuzzer target of fuzz/ for FUZZ_SECONDS each (clang, ASan, UBSan).
FUZZ_SECONDS ?= 60
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) fuzz/run

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	@rm -rf build
