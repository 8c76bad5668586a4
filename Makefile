# Top-level entry points; CMake does the work underneath.
#   make        build build/poolscope, build/poolscope-lab and the tests
#   make check  run every test
#   make demo   write the seed-env1 lab dump and investigate it
#   make asan   build and test with AddressSanitizer + UBSan (build-asan/)
#   make fuzz   run each libFuzzer target briefly (build-fuzz/, clang)
#   make bench  run the benchmarks
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 20

.PHONY: all deps configure check demo asan fuzz bench clean

all: configure
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@scripts/deps.sh

configure: deps
	@test -f $(BUILD)/CMakeCache.txt || cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

check: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: all
	@scripts/demo.sh $(BUILD)

asan: deps
	@test -f build-asan/CMakeCache.txt || CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPS_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

fuzz: deps
	@test -f build-fuzz/CMakeCache.txt || CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPS_FUZZ=ON -DPS_SANITIZE=ON >/dev/null
	cmake --build build-fuzz -j $(JOBS)
	@scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

bench: all
	@bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-fuzz
