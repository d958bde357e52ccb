# dropnet — build, test, demo.  `make` builds the library, the CLI and the examples, and only that.
#   make setup    install the Debian packages the build and the tests need (scripts/setup.sh)
#   make demo     setup, build, run the seed pipeline (the main job)
#   make test     setup, build, check the layout and the README example, run the test suite
#   make CC=clang, make WERROR=1 (CI), make test-asan (AddressSanitizer + UBSan)
#   make web      the playground, one self-contained page: build/web/playground.html (docs/PLAYGROUND.md);
#                 make web WEB_SIMD= without WebAssembly SIMD128; make bench-web compares the two
#   make fuzz, make fuzz-run SECONDS=N (libFuzzer harnesses, docs/RELIABILITY.md)

CC      ?= cc
BUILD   ?= build
WERROR  ?=
OPT     ?= -O2
# GEMM threads (src/kernels/gemm_blocked.c); also passed at link time. OPENMP= builds serial.
OPENMP  ?= -fopenmp
CFLAGS_BASE = -std=c11 $(OPT) -g -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
              -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc $(OPENMP) $(if $(OPENMP),,-Wno-unknown-pragmas) $(if $(WERROR),-Werror)
CFLAGS  ?=
ALL_CFLAGS = $(CFLAGS_BASE) $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS  = -lcjson -lz -lm -lprotobuf-c $(BLAS_LIBS)

# Optional BLAS backend, for comparison: `make BLAS=openblas [target]` builds in build-openblas with
# the model's products through OpenBLAS (Debian's OpenMP build, installed by scripts/setup.sh);
# dropnet's own kernels stay the default. src/kernels/gemm_blas.c says what differs.
BLAS    ?=
ifeq ($(BLAS),openblas)
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
BUILD   := build-openblas
EXTRA_CFLAGS += -DDN_BLAS_OPENBLAS -I/usr/include/$(MULTIARCH)/openblas-openmp
BLAS_LIBS := -L/usr/lib/$(MULTIARCH)/openblas-openmp -Wl,-rpath,/usr/lib/$(MULTIARCH)/openblas-openmp -lopenblas
SETUP_PACKAGES := libopenblas-openmp-dev
else ifneq ($(BLAS),)
$(error BLAS=$(BLAS): the only backend is BLAS=openblas)
endif

LIB_SRC  := $(sort $(wildcard src/*/*.c))
CLI_SRC  := $(sort $(wildcard cli/*.c cli/*/*.c))
TEST_SRC := $(sort $(wildcard tests/*.c))
EX_SRC   := $(sort $(wildcard examples/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/onnx.pb-c.o
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/obj/%.o)

STATIC  := $(BUILD)/libdropnet.a
SHARED  := $(BUILD)/libdropnet.so
DN_VERSION := $(shell sed -n 's/^\#define DN_VERSION_STRING "\(.*\)"/\1/p' include/dropnet.h)
DN_MAJOR   := $(firstword $(subst ., ,$(DN_VERSION)))
CLI     := $(BUILD)/dropnet
TESTS   := $(BUILD)/dropnet-tests
EXAMPLES := $(EX_SRC:examples/%.c=$(BUILD)/examples/%)

.PHONY: all demo test test-asan setup clean fashion fashion-compare paper
all: $(STATIC) $(SHARED) $(CLI) $(EXAMPLES)

# Installs the Debian packages that are missing (scripts/setup.sh checks each; quick when none
# is). Only `make setup` and the targets that run something (demo, test, fashion, paper) call it,
# each before it builds: a plain `make` never installs anything.
setup:
	bash scripts/setup.sh $(SETUP_PACKAGES)

$(BUILD)/obj/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -DDN_BUILDING_LIBRARY -MMD -MP -c $< -o $@

# ONNX (src/onnx/): the protobuf-c code for Debian's onnx.proto (libonnx-dev), generated at build
# time into $(BUILD)/gen by protoc-c (protobuf-c-compiler); nothing generated is committed.
ONNX_PROTO ?= /usr/include/onnx/onnx.proto
$(BUILD)/gen/onnx.pb-c.c $(BUILD)/gen/onnx.pb-c.h &: $(ONNX_PROTO)
	@mkdir -p $(BUILD)/gen
	cp $(ONNX_PROTO) $(BUILD)/gen/onnx.proto
	cd $(BUILD)/gen && protoc-c --c_out=. onnx.proto
$(BUILD)/obj/gen/onnx.pb-c.o: $(BUILD)/gen/onnx.pb-c.c
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -Werror -Wmissing-prototypes,$(ALL_CFLAGS)) -fPIC -fvisibility=hidden -c $< -o $@
$(BUILD)/obj/src/onnx/%.o: CFLAGS += -I$(BUILD)/gen
# Adam's square roots never see a negative: without errno the loop vectorises (src/model/optimizer.c).
$(BUILD)/obj/src/model/optimizer.o: CFLAGS += -fno-math-errno
$(filter $(BUILD)/obj/src/onnx/%,$(LIB_OBJ)): | $(BUILD)/gen/onnx.pb-c.h

# The CLI and the tests that reach into it include its headers by path from cli/ ("train/job.h").
$(BUILD)/obj/cli/%.o $(BUILD)/obj/tests/%.o: CLI_INCLUDE := -Icli

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CLI_INCLUDE) -MMD -MP -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The shared library carries a SONAME (libdropnet.so.MAJOR) and the version in its name.
$(SHARED): $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,libdropnet.so.$(DN_MAJOR) -o $@.$(DN_VERSION) $^ $(LDLIBS)
	ln -sf libdropnet.so.$(DN_VERSION) $@.$(DN_MAJOR)
	ln -sf libdropnet.so.$(DN_VERSION) $@

$(CLI): $(CLI_OBJ) $(STATIC)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# CLI pieces with logic worth unit-testing directly (the rest is tested through the binary).
CLI_UNIT_OBJ := $(BUILD)/obj/cli/train/controls.o $(BUILD)/obj/cli/train/checkpoint_state.o

$(TESTS): $(TEST_OBJ) $(CLI_UNIT_OBJ) $(STATIC)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/examples/%: examples/%.c $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(STATIC) $(LDLIBS)

# The README's library example is examples/readme_example.c, built above; `make test` checks that
# the README's block (between the example:begin and example:end markers) is that file, line for line.
.PHONY: check-readme-example check-layout
check-readme-example:
	@sed -n '/<!-- example:begin -->/,/<!-- example:end -->/p' README.md | sed '/^<!--/d;/^```/d' | \
	  diff -u examples/readme_example.c - || \
	  { echo "README.md's example differs from examples/readme_example.c: make them equal" >&2; exit 1; }

# The generators of the published tables (make paper, make fashion-compare) against scipy and
# closed forms (scripts/test_doc_tables.py); README's speed table from a fixture run
# (scripts/test_speed_table.py).
.PHONY: check-doc-tables
check-doc-tables:
	$(PYTHON3) scripts/test_doc_tables.py
	$(PYTHON3) scripts/test_speed_table.py

# No link cycle across cli/ or src/ folders, every header named after its .c (the script says how).
check-layout: $(CLI_OBJ) $(LIB_OBJ)
	bash scripts/check_layout.sh $(BUILD)/obj cli src

# Fashion-MNIST (Debian's dataset-fashion-mnist): the issue's 784-1024-1024-10 network with
# dropout 0.2/0.5/0.5, Adam 1e-3 decayed ×0.95 per epoch, standardised inputs, 40 epochs.
FASHION_SPEC = dropout:0.2,dense:1024:relu,dropout:0.5,dense:1024:relu,dropout:0.5,dense:10:softmax
FASHION_ARGS = --optimizer adam --lr 0.001 --lr-decay 0.95 --standardize --batch 128 --epochs 40
# PRECISION=bf16: bf16 products, fp32 weights (train --precision; model and log get a -bf16 suffix).
PRECISION ?= fp32
FASHION_SUFFIX = $(if $(filter fp32,$(PRECISION)),,-$(PRECISION))
fashion: setup
	$(MAKE) $(CLI)
	./$(CLI) train --train fashion-mnist:train --val-data fashion-mnist:test --test fashion-mnist:test \
	  --model $(FASHION_SPEC) $(FASHION_ARGS) --precision $(PRECISION) \
	  --out $(BUILD)/fashion$(FASHION_SUFFIX).safetensors --log $(BUILD)/fashion$(FASHION_SUFFIX).jsonl

# Srivastava et al. 2014, Tables 9 and 2 on Fashion-MNIST: five regularisers, docs/PAPER.md.
# On a loaded 2-core machine `PAPER_JOBS=2 PAPER_THREADS=1 make paper` (two 1-thread runs at a
# time) loses no time to OpenMP's barriers; the results are the same bits (scripts/paper.sh).
paper: setup
	$(MAKE) $(CLI)
	bash scripts/paper.sh

# The same network with and without its dropout layers: the train-test gap, per epoch, for
# FASHION_COMPARE_EPOCHS (10; the last --epochs wins); the README's table between its
# fashion-compare markers is written from the log (scripts/doc_tables.py).
FASHION_COMPARE_EPOCHS ?= 10
PYTHON3 ?= /usr/bin/python3
fashion-compare: setup
	$(MAKE) $(CLI)
	./$(CLI) compare --train fashion-mnist:train --test fashion-mnist:test \
	  --model $(FASHION_SPEC) $(FASHION_ARGS) --epochs $(FASHION_COMPARE_EPOCHS) --log $(BUILD)/fashion-compare.jsonl
	$(PYTHON3) scripts/doc_tables.py compare $(BUILD)/fashion-compare.jsonl README.md

# These install first, then build (a sub-make, so that nothing compiles before the packages are in).
demo: setup
	$(MAKE) $(CLI)
	./$(CLI) demo

# The Python and browser suites run first; PY_TEST= and WEB_TEST= (as test-asan sets) leave them
# out (the ASan library cannot load into python3 without LD_PRELOAD: test-python-asan).
PY_TEST ?= test-python
WEB_TEST ?= test-web
test: setup
	$(MAKE) $(TESTS) $(CLI) $(EXAMPLES) check-layout check-readme-example onnxruntime check-doc-tables $(PY_TEST)
	$(if $(WEB_TEST),$(MAKE) $(WEB_TEST))
	DN_TEST_CFLAGS="$(EXTRA_CFLAGS)" ./$(TESTS)
	$(if $(findstring sanitize,$(EXTRA_CFLAGS)),@echo "test-mpi: not run in a sanitizer build (OpenMPI's own allocations)",$(MAKE) test-mpi)

# ONNX Runtime for the ONNX tests (tests/onnx/ort_run.js), test-only, from npm into $(BUILD)/npm:
# --ignore-scripts, since its install script would download from a host we cannot reach; the CPU
# library is in the package itself.
ORT_PACKAGE := $(BUILD)/npm/node_modules/onnxruntime-node/package.json
.PHONY: onnxruntime
onnxruntime: $(ORT_PACKAGE)
$(ORT_PACKAGE):
	@mkdir -p $(BUILD)/npm
	npm install --prefix $(BUILD)/npm --ignore-scripts --no-audit --no-fund onnxruntime-node@1.30.0

# Python package (python/, docs/PYTHON.md): a venv over Debian's /usr/bin/python3 (numpy, torch,
# scikit-learn, pytest from apt) with dropnet installed offline; test-python runs its pytest suite.
PY_VENV := $(BUILD)/python-venv
.PHONY: python test-python test-python-asan bench-python
python: $(SHARED) $(CLI)
	test -x $(PY_VENV)/bin/python || /usr/bin/python3 -m venv --system-site-packages $(PY_VENV)
	DROPNET_LIBRARY_SOURCE=$(abspath $(SHARED)) DROPNET_CLI_SOURCE=$(abspath $(CLI)) $(PY_VENV)/bin/python -m pip install -q --no-build-isolation --no-deps --no-index ./python
test-python: python $(CLI)
	cd python/tests && ../../$(PY_VENV)/bin/python -m pytest -q -p no:cacheprovider
# The same suite once over the ASan + UBSan library, the runtimes preloaded into the uninstrumented
# python3 (leak checking off: CPython keeps its objects at exit). About 2 minutes; not in `make test`.
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
test-python-asan: python $(CLI)
	$(MAKE) BUILD=build-asan OPT=-O1 EXTRA_CFLAGS="$(ASAN_FLAGS)" build-asan/libdropnet.so
	cd python/tests && LD_PRELOAD="$$($(CC) -print-file-name=libasan.so):$$($(CC) -print-file-name=libubsan.so)" \
	  ASAN_OPTIONS=detect_leaks=0 DROPNET_LIBRARY=$(abspath build-asan/libdropnet.so) \
	  ../../$(PY_VENV)/bin/python -m pytest -q -p no:cacheprovider
bench-python: python $(CLI)
	$(PY_VENV)/bin/python bench/python_vs_torch.py
	BUILD=$(BUILD) $(PY_VENV)/bin/python bench/python_w2.py

# Sanitised build in its own directory; the whole suite runs under ASan + UBSan.
test-asan:
	$(MAKE) BUILD=build-asan OPT=-O1 PY_TEST= WEB_TEST= \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" test

# The playground (docs/PLAYGROUND.md): the library and web/engine.c built for wasm32 by Debian's
# emscripten (no OpenMP, the portable kernels; the file readers that need zlib or cJSON are left
# out), with the page, its style, script and worker inlined into one self-contained
# build/web/playground.html. Debian's emcc finds its own JS modules through NODE_PATH.
# WEB_SIMD: WebAssembly SIMD128 (clang vectorises the portable kernels: 1.3-2.1x the steps/s of
# the plain build, the same numbers; `make bench-web`); `make web WEB_SIMD=` builds a page for a
# browser without it. `make test-web` (run by `make test`) drives the page in headless Chromium
# (tests/web/).
.PHONY: web test-web bench-web web-screenshots
EMCC     ?= emcc
WEB_SIMD ?= -msimd128
WEB      := $(BUILD)/web
WEB_SRC  := $(filter-out src/io/checksum.c src/io/model_file_memory.c src/io/model_load.c src/io/model_save.c src/io/safetensors_%.c \
              src/data/idx.c src/data/prepare_json.c src/data/read_text.c src/data/source.c src/onnx/%.c,$(LIB_SRC))
WEB_FLAGS = -std=c11 -O2 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unknown-pragmas $(if $(WERROR),-Werror) \
            -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc -DDN_BUILDING_LIBRARY -sASYNCIFY -sALLOW_MEMORY_GROWTH=1 \
            -sSINGLE_FILE=1 -sENVIRONMENT=worker -sMODULARIZE=1 -sEXPORT_NAME=createEngine \
            -sEXPORTED_RUNTIME_METHODS=ccall,UTF8ToString -sEXPORTED_FUNCTIONS=_malloc,_free $(WEB_SIMD)
web: $(WEB)/playground.html
$(WEB)/engine.js: web/engine.c $(WEB_SRC) $(wildcard src/*/*.h) include/dropnet.h $(WEB)/simd-$(if $(WEB_SIMD),on,off)
	NODE_PATH=/usr/share/nodejs $(EMCC) $(WEB_FLAGS) $(WEB_SRC) web/engine.c -o $@
# a stamp per WEB_SIMD setting, so that changing it rebuilds the engine
$(WEB)/simd-%:
	@mkdir -p $(WEB)
	rm -f $(WEB)/simd-*
	touch $@
WEB_JS   := web/table.js web/playground.js web/example.js web/quiz.js web/images.js web/start.js
$(WEB)/playground.html: web/playground.html web/playground.css $(WEB_JS) web/worker.js $(WEB)/engine.js
	sed 's#/\*@SIMD@\*/true#$(if $(WEB_SIMD),true,false)#' web/worker.js | cat $(WEB)/engine.js - > $(WEB)/engine-worker.js
	cat $(WEB_JS) > $(WEB)/page.js
	sed -e '/\/\*@STYLE@\*\//{r web/playground.css' -e 'd}' -e '/\/\*@ENGINE@\*\//{r $(WEB)/engine-worker.js' -e 'd}' \
	    -e '/\/\*@SCRIPT@\*\//{r $(WEB)/page.js' -e 'd}' web/playground.html > $@.tmp
	mv $@.tmp $@
test-web: web $(CLI)
	node tests/web/playground_test.mjs $(WEB)/playground.html ./$(CLI)
# The pictures of docs/PLAYGROUND.md, retaken: the same run as test-web (headless chromium over
# the DevTools pipe, tests/web/cdp.mjs, so that each state is the one it checks), its shots copied
# over those docs/playground holds.
web-screenshots: web $(CLI)
	node tests/web/playground_test.mjs $(WEB)/playground.html ./$(CLI) $(WEB)/shots
	for f in docs/playground/*.png; do cp $(WEB)/shots/$$(basename $$f) $$f; done
# The engine's steps/s with SIMD128 against the plain wasm32 build (built in $(WEB)-scalar), in
# one run, and the drawn steps/s (bench/web_speed.mjs; results in docs/PLAYGROUND.md).
bench-web: web $(CLI)
	$(MAKE) WEB=$(WEB)-scalar WEB_SIMD= $(WEB)-scalar/playground.html
	node bench/web_speed.mjs ./$(CLI) $(WEB)-scalar/playground.html $(WEB)/playground.html

# GEMM GFLOP/s per shape, kernel and thread count (bench/bench_gemm.c says how to compare a BLAS).
.PHONY: bench-gemm
$(BUILD)/bench-gemm: bench/bench_gemm.c $(STATIC)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(STATIC) $(LDLIBS) -ldl
bench-gemm: $(BUILD)/bench-gemm
	./$(BUILD)/bench-gemm

# The "Speed" workloads W1-W5, one JSON line each (bench/run.sh says what they measure);
# bench-peers adds PyTorch, ONNX Runtime (W3, W5) and numpy/OpenBLAS on the same workloads and
# prints the ratios.
# BENCH_THREADS (2) and BENCH_REPEAT (5; each figure is the median, with min and max) are read
# by bench/run.sh; BENCH_JSON=FILE appends every JSON line to FILE.
# README's Speed table: `make bench-peers BENCH_JSON=FILE` then `make speed-table BENCH_JSON=FILE`
# (scripts/speed_table.py writes the last run in FILE between README's speed markers).
.PHONY: bench bench-peers speed-table
$(BUILD)/bench-workloads: bench/bench_workloads.c $(STATIC)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(STATIC) $(LDLIBS)
bench: $(BUILD)/bench-workloads $(CLI)
	BUILD=$(BUILD) BENCH_CFLAGS='$(strip $(ALL_CFLAGS))' bash bench/run.sh
bench-peers: $(BUILD)/bench-workloads $(CLI) $(ORT_PACKAGE)
	BUILD=$(BUILD) BENCH_CFLAGS='$(strip $(ALL_CFLAGS))' bash bench/run.sh --peers
speed-table:
	@test -n "$(BENCH_JSON)" || { echo "make speed-table: give BENCH_JSON=FILE, the JSON lines" \
	  "of a \`make bench-peers BENCH_JSON=FILE\` run" >&2; exit 1; }
	$(PYTHON3) scripts/speed_table.py $(BENCH_JSON) README.md

# Mutation testing (docs/TESTING.md): each one-line bug of scripts/mutants.txt applied to a scratch
# copy, rebuilt, and the relevant tests run; reports caught / survived / stale. Not in CI (slow);
# run it when a change touches numerics. MUTANTS="id ..." runs only those.
.PHONY: mutate
mutate:
	bash scripts/mutate.sh $(MUTANTS)

# libFuzzer harnesses (fuzz/, docs/RELIABILITY.md), built with clang under ASan + UBSan in their
# own directory. `make fuzz` builds them; `make fuzz-run SECONDS=N` runs each for N seconds, one
# after another, from the seeds in fuzz/corpus/<name> (new inputs go to $(FUZZ_BUILD)/corpus).
FUZZ_BUILD   ?= build-fuzz
FUZZ_CC      ?= clang
FUZZ_NAMES   := csv idx safetensors spec cli onnx
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SECONDS      ?= 60
FUZZ_BIN     := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_CLI_OBJ := $(filter-out $(BUILD)/obj/cli/main.o,$(CLI_OBJ))
.PHONY: fuzz fuzz-run fuzz-harnesses
fuzz:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) OPENMP= OPT=-O1 \
	  EXTRA_CFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-harnesses
fuzz-harnesses: $(FUZZ_BIN)
$(BUILD)/fuzz/fuzz_cli: fuzz/fuzz_cli.c $(FUZZ_CLI_OBJ) $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Icli -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
$(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_file.h fuzz/fuzz_dataset_check.h fuzz/fuzz_model_check.h $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(STATIC) $(LDLIBS)
# -close_fd_mask=3: the CLI harness runs `summary`, whose output is noise here. A crash, leak or
# UB report stops the run with a non-zero status and leaves the input as crash-* in the cwd.
fuzz-run: fuzz
	@for t in $(FUZZ_NAMES); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
	  echo "fuzz_$$t: $(SECONDS) s"; \
	  ./$(FUZZ_BUILD)/fuzz/fuzz_$$t -max_total_time=$(SECONDS) -close_fd_mask=3 -print_final_stats=1 \
	    $(FUZZ_BUILD)/corpus/$$t fuzz/corpus/$$t || exit 1; \
	done

# Installing as a library: `make install PREFIX=/usr/local DESTDIR=...` puts the static and shared
# library (libdropnet.so.$(VERSION), SONAME libdropnet.so.$(SOVERSION), the two symlinks), the
# header, the CLI, dropnet.pc and the man page dropnet.1 (generated from the help texts by
# scripts/man.sh) under $(DESTDIR)$(PREFIX); `make uninstall` removes exactly those files.
PREFIX     ?= /usr/local
DESTDIR    ?=
LIBDIR     ?= $(PREFIX)/lib
VERSION    := $(shell sed -n 's/^\#define DN_VERSION_STRING "\(.*\)"/\1/p' include/dropnet.h)
SOVERSION  := 0
PC         := $(BUILD)/dropnet.pc
MAN        := $(BUILD)/dropnet.1
.PHONY: install uninstall man FORCE
man: $(MAN)
$(MAN): $(CLI) scripts/man.sh
	bash scripts/man.sh $(CLI) $(VERSION) > $@.tmp && mv $@.tmp $@
# Shared linking needs only -ldropnet (the .so records its own dependencies); static linking
# adds Requires.private and Libs.private (pkg-config --static): zlib, cJSON, protobuf-c, OpenMP.
# Rewritten on every install, so that a new PREFIX is never installed with an old one's paths.
$(PC): FORCE
	@mkdir -p $(dir $@)
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$${prefix}/include' '' \
	  'Name: dropnet' 'Description: feed-forward neural networks with dropout (C11)' \
	  'Version: $(VERSION)' \
	  'Requires.private: zlib libcjson libprotobuf-c' \
	  'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -ldropnet' \
	  'Libs.private: $(OPENMP) -lm $(BLAS_LIBS)' > $@
install: $(STATIC) $(SHARED) $(CLI) $(PC) $(MAN)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin \
	  $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(STATIC) $(DESTDIR)$(LIBDIR)/libdropnet.a
	install -m 755 $(SHARED) $(DESTDIR)$(LIBDIR)/libdropnet.so.$(VERSION)
	ln -sf libdropnet.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libdropnet.so.$(SOVERSION)
	ln -sf libdropnet.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libdropnet.so
	install -m 644 include/dropnet.h $(DESTDIR)$(PREFIX)/include/dropnet.h
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/dropnet
	install -m 644 $(PC) $(DESTDIR)$(LIBDIR)/pkgconfig/dropnet.pc
	install -m 644 $(MAN) $(DESTDIR)$(PREFIX)/share/man/man1/dropnet.1
uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libdropnet.a $(DESTDIR)$(LIBDIR)/libdropnet.so.$(VERSION) \
	  $(DESTDIR)$(LIBDIR)/libdropnet.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libdropnet.so \
	  $(DESTDIR)$(PREFIX)/include/dropnet.h $(DESTDIR)$(PREFIX)/bin/dropnet \
	  $(DESTDIR)$(LIBDIR)/pkgconfig/dropnet.pc $(DESTDIR)$(PREFIX)/share/man/man1/dropnet.1

# Data-parallel training on OpenMPI (docs/SCALING.md). `make mpi` builds $(MPI_BUILD)/dropnet with
# mpicc and -DDN_WITH_MPI (the glue is cli/parallel/; the library has no MPI dependency);
# `make test-mpi` (run by `make test`) runs tests/mpi/run.sh: 1-4 ranks give the same bits, resume
# on another rank count, a killed rank, refusals; `make bench-mpi` the measurements of SCALING.md.
MPI_BUILD ?= build-mpi
.PHONY: mpi test-mpi bench-mpi
mpi:
	$(MAKE) BUILD=$(MPI_BUILD) CC=mpicc EXTRA_CFLAGS=-DDN_WITH_MPI $(MPI_BUILD)/dropnet
test-mpi: setup
	$(MAKE) $(CLI) mpi
	bash tests/mpi/run.sh $(CLI) $(MPI_BUILD)/dropnet
bench-mpi: setup
	$(MAKE) $(CLI) mpi
	bash bench/mpi.sh $(CLI) $(MPI_BUILD)/dropnet
# The MPI glue under AddressSanitizer + UBSan: tests/mpi/run.sh with an instrumented MPI build,
# every rank's sanitizer report written under build-mpi-asan/reports/ and the target failing on
# any (the tests' own checks do not look at stderr). Not in `make test`: about 3.5 minutes here.
# LeakSanitizer ignores OpenMPI's own allocations (tests/mpi/lsan.supp, never dropnet's); for
# the suppressions to match, the stacks must reach libmpi: full unwinding (OpenMPI is built
# without frame pointers) and its plugins kept loaded after MPI_Finalize (disable_dlclose).
MPI_ASAN_REPORTS := build-mpi-asan/reports
.PHONY: test-mpi-asan
test-mpi-asan: setup
	$(MAKE) $(CLI)
	$(MAKE) BUILD=build-mpi-asan OPT=-O1 CC=mpicc EXTRA_CFLAGS="-DDN_WITH_MPI $(ASAN_FLAGS)" \
	  build-mpi-asan/dropnet
	rm -rf $(MPI_ASAN_REPORTS) && mkdir -p $(MPI_ASAN_REPORTS)
	DROPNET_MPI_TEST_LIMIT=30 \
	  OMPI_MCA_mca_base_component_disable_dlclose=1 PMIX_MCA_mca_base_component_disable_dlclose=1 \
	  ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:log_path=$(abspath $(MPI_ASAN_REPORTS))/asan \
	  UBSAN_OPTIONS=print_stacktrace=1:log_path=$(abspath $(MPI_ASAN_REPORTS))/ubsan \
	  LSAN_OPTIONS=suppressions=$(abspath tests/mpi/lsan.supp):print_suppressions=0:fast_unwind_on_malloc=0 \
	  bash tests/mpi/run.sh $(CLI) build-mpi-asan/dropnet
	@if ls $(MPI_ASAN_REPORTS)/* > /dev/null 2>&1; then head -40 $(MPI_ASAN_REPORTS)/*; \
	  echo "test-mpi-asan: sanitizer reports above ($(MPI_ASAN_REPORTS))"; exit 1; fi
	@echo "test-mpi-asan: no sanitizer report from any rank"

# Every build directory: build, build-clang, build-asan, build-openblas, build-fuzz, ...
clean:
	rm -rf build build-* $(BUILD) $(FUZZ_BUILD)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
