# The two commands: `make run` and `make test`. Both install what is missing first.
BUILD_DIR ?= build
FUZZ_DIR  ?= build-fuzz
JOBS      ?= $(shell nproc)
SUITE     ?= ../shared/conformance/twitter-text
DATA_DIR  ?= ./var/plaza
LISTEN    ?= 127.0.0.1:8080
FUZZ_SECONDS ?= 300

.PHONY: setup configure build run test unit conformance fuzz fuzz-build bench bench-full bench-celebrity bench-instructions bench-micro clean

setup:
	@bash scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@mkdir -p $(DATA_DIR)
	$(BUILD_DIR)/src/app/plaza serve --listen $(LISTEN) --data-dir $(DATA_DIR)

fuzz-build: setup
	@CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DPLAZA_FUZZ=ON -DPLAZA_BUILD_TESTS=OFF -DPLAZA_BUILD_BENCH=OFF >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target plaza_fuzz_targets

# Everything: unit tests, conformance, API tests over HTTP, crash test, client test, short fuzz runs.
test: build fuzz-build
	@bash scripts/test.sh $(BUILD_DIR) $(FUZZ_DIR)

conformance: build
	@$(BUILD_DIR)/tests/conformance/plaza_conformance $(SUITE)

fuzz: fuzz-build
	@bash scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# Benchmark suite (bench/README.md): dataset import, Plaza workloads and reference servers
# (ceiling, nginx, Redis) in one run; writes bench/results/latest.json and latest.md.
# `make bench` uses the small dataset (a few minutes); `make bench-full` the medium one, or the
# large one with LARGE=1. `make bench-micro` runs the Google Benchmark micro-benchmarks.
bench: build
	@bash scripts/bench_suite.sh $(BUILD_DIR) small

bench-full: build
	@bash scripts/bench_suite.sh $(BUILD_DIR) $(if $(LARGE),large,medium)

# The celebrity workload with 1,000,000 followers (a large-accounts dataset with few posts, which
# fits this machine where the full large dataset does not); prints one JSON object.
bench-celebrity: build
	@bash scripts/bench_celebrity.sh $(BUILD_DIR)

# Instructions and simulated cache misses per home read, Plaza and ceiling, under callgrind
# (installs valgrind when missing); writes bench/results/instructions.json.
bench-instructions: build
	@bash scripts/setup.sh valgrind
	@bash scripts/bench_instructions.sh $(BUILD_DIR)

bench-micro: build
	@bash scripts/bench.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR)
