# nn.h build, tests and benchmarks. `make test` is what CI runs (.ci/run calls exactly that).
CC      ?= cc
PYTHON  ?= python3
WARN     = -Wall -Wextra -Wpedantic -Werror -Wshadow
BUILD    = build
SRCS     = $(shell find src -type f | sort)
TESTS    = $(wildcard tests/*.c tests/*.h tests/ref/*.h)

.PHONY: all deps test unit unit-train-loop unit-arm64 unit-oom unit-asan unit-scalar unit-nothreads check-amalgamation compile-matrix examples demo tour bench bench-deps bench-W1 bench-W2 bench-W345 bench-compile clean

all: nn.h $(BUILD)/runner

nn.h: $(SRCS) tools/amalgamate.py
	$(PYTHON) tools/amalgamate.py

$(BUILD):
	mkdir -p $(BUILD)

# ---- tests ----
test: deps check-amalgamation compile-matrix examples unit unit-scalar unit-nothreads unit-asan unit-oom unit-arm64 unit-train-loop
	@echo "make test: all stages passed"

deps:
	@sh tools/install_deps.sh

check-amalgamation:
	$(PYTHON) tools/amalgamate.py --check

$(BUILD)/runner: nn.h $(TESTS) | $(BUILD)
	$(CC) -std=c99 -O2 $(WARN) -Itests tests/runner.c -o $@ -lm -lpthread

$(BUILD)/runner-asan: nn.h $(TESTS) | $(BUILD)
	clang -std=c11 -O1 -g $(WARN) -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	  -fno-omit-frame-pointer -Itests tests/runner.c -o $@ -lm -lpthread

$(BUILD)/runner-scalar: nn.h $(TESTS) | $(BUILD)
	$(CC) -std=c11 -O2 $(WARN) -DNN_NO_SIMD -Itests tests/runner.c -o $@ -lm -lpthread

# also the SSE2 kernels, which x86-64 builds leave out unless NN_SIMD_SSE2 is defined
$(BUILD)/runner-nothreads: nn.h $(TESTS) | $(BUILD)
	$(CC) -std=c99 -O2 $(WARN) -DNN_NO_THREADS -DNN_SIMD_SSE2 -Itests tests/runner.c -o $@ -lm

unit: $(BUILD)/runner
	$(BUILD)/runner

unit-scalar: $(BUILD)/runner-scalar
	$(BUILD)/runner-scalar

# A 10,000-step training loop with a flat resident set and live-tensor count, then 300 steps under valgrind:
# no leak, no invalid access.
unit-train-loop: nn.h tests/train_loop.c | $(BUILD)
	$(CC) -O2 $(WARN) tests/train_loop.c -o $(BUILD)/train_loop -lm -lpthread
	$(BUILD)/train_loop 10000
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible --error-exitcode=9 $(BUILD)/train_loop 300 norss

unit-nothreads: $(BUILD)/runner-nothreads
	$(BUILD)/runner-nothreads

unit-asan: $(BUILD)/runner-asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(BUILD)/runner-asan

# The arm64 (NEON) path, cross-compiled with Debian's gcc-aarch64-linux-gnu and run under qemu-user.
$(BUILD)/runner-arm64: nn.h $(TESTS) | $(BUILD)
	aarch64-linux-gnu-gcc -std=c99 -O2 $(WARN) -Itests tests/runner.c -o $@ -lm -lpthread

unit-arm64: $(BUILD)/runner-arm64
	QEMU_LD_PREFIX=/usr/aarch64-linux-gnu qemu-aarch64 $(BUILD)/runner-arm64

# Allocation-failure injection (its own allocator hooks, so its own program), under ASan+UBSan.
$(BUILD)/oom: nn.h tests/oom.c | $(BUILD)
	clang -std=c99 -O1 -g $(WARN) -fsanitize=address,undefined -fno-sanitize-recover=undefined tests/oom.c -o $@ -lm -lpthread

unit-oom: $(BUILD)/oom
	$(BUILD)/oom

# Every compiler and language standard we promise, on the generated header, warnings as errors.
MATRIX = "gcc -std=c99" "gcc -std=c11" "clang -std=c99" "clang -std=c11" \
         "g++ -x c++ -std=c++11" "g++ -x c++ -std=c++17" "clang++ -x c++ -std=c++11" "clang++ -x c++ -std=c++17"
compile-matrix: nn.h | $(BUILD)
	@set -e; for c in $(MATRIX); do \
	  echo "  $$c"; \
	  $$c -O1 $(WARN) -c tests/compile/impl.c -o $(BUILD)/impl.o; \
	  $$c -O1 $(WARN) -c tests/compile/decl_only.c -o $(BUILD)/decl.o; \
	done
	@for p in NN_NO_RANDOM NN_NO_INDEX NN_NO_SORT NN_NO_CONV NN_NO_PRINT NN_NO_NN NN_NO_IO; do \
	  echo "  gcc -D$$p"; gcc -std=c99 -O0 $(WARN) -D$$p -c tests/compile/impl.c -o $(BUILD)/impl_no.o || exit 1; \
	done
	gcc -std=c99 -O1 $(WARN) tests/compile/static_a.c tests/compile/static_b.c -o $(BUILD)/static_ab -lm -lpthread
	$(BUILD)/static_ab
	tcc -std=c99 -Wall tests/compile/impl.c -o $(BUILD)/impl_tcc -lm && $(BUILD)/impl_tcc
	@echo "  tcc: scalar path builds and runs"
	@echo "  exported symbols all start with nn_:"
	gcc -std=c99 -O1 -c tests/compile/impl.c -o $(BUILD)/impl.o
	@bad=$$(nm -g --defined-only $(BUILD)/impl.o | awk '{print $$3}' | grep -v -E '^(nn_|main$$)' || true); \
	  if [ -n "$$bad" ]; then echo "non-nn_ exported symbols: $$bad"; exit 1; fi

# Examples build with plain `cc -O2 examples/NAME.c -lm` and nothing more.
examples: nn.h | $(BUILD)
	@set -e; for f in examples/*.c; do \
	  n=$$(basename $$f .c); echo "  cc -O2 $$f -lm"; \
	  $(CC) -O2 -Wall -Wextra -Wpedantic -Werror $$f -o $(BUILD)/$$n -lm; \
	done

# The main demo: a CNN on Fashion-MNIST when Debian's dataset-fashion-mnist is installed, else an MLP on the digits
# shipped in data/ (progress bar, test accuracy, curves and confusion matrix as SVG, save, load, compare).
demo: nn.h | $(BUILD)
	$(CC) -O2 examples/demo.c -o $(BUILD)/demo -lm && $(BUILD)/demo

# The ndarray tour.
tour: nn.h | $(BUILD)
	$(CC) -O2 examples/tour.c -o $(BUILD)/tour -lm && $(BUILD)/tour

# ---- benchmarks (never part of `make test`) ----
bench: bench-compile bench-W1 bench-W2 bench-W345

# the anchors: NumPy, SciPy, PyTorch, OpenBLAS from Debian
bench-deps:
	sh tools/install_deps.sh python3-numpy python3-scipy python3-torch libopenblas-dev

bench-W1: nn.h bench-deps | $(BUILD)
	sh bench/run_w1.sh

bench-W2: nn.h bench-deps | $(BUILD)
	$(CC) -O2 bench/w2_elementwise.c -o $(BUILD)/w2 -lm
	sh bench/run_w2.sh $(BUILD)/w2

# W3 (MLP), W4 (CNN), W5 (LSTM) training against PyTorch; Fashion-MNIST from Debian's dataset-fashion-mnist
bench-W345: nn.h bench-deps | $(BUILD)
	sh tools/install_deps.sh dataset-fashion-mnist
	sh bench/run_w345.sh

bench-compile: nn.h | $(BUILD)
	sh bench/compile_time.sh

clean:
	rm -rf $(BUILD)
