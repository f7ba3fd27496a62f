# ceval - one non-recursive Makefile.
#
#   make            build build/release/ceval
#   make test       build and run the whole suite (unit, CLI, fuzz-corpus replay)
#   make asan       the same suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz       build libFuzzer targets with clang (FUZZ_TIME=seconds to run each)
#   make bench      encoder tokens/s on bge-base shapes (+ PyTorch if present), knn speed
#   make bench-parquet  read rate and peak RSS on a 1 GB Parquet file, against DuckDB
#   make deps       install the Debian packages ceval needs (apt-get)
#   make portability  x86-64 without AVX and an arm64 cross build, under qemu
#   make demo       evaluate the shipped model on the demo suite (offline)
#   make install    install to PREFIX (default /usr/local): binary, tasks, man page
#   make help       this list
#
# Sources are discovered by wildcard: every common/*.c, engine/*.c, hub/*.c,
# eval/*.c and eval/*/*.c goes into libceval.a; cli/*.c is the command layer linked only into
# the binary; every tests/*/test_*.c is one cmocka binary; every
# tests/fuzz/fuzz_*.c is one fuzz target.
#
# Layering (doc/architecture.md): cli -> eval -> engine -> common, never upward.
# Each folder gets only the include paths it may use, so a library file that
# includes a CLI, test-support or (for eval/) engine header fails to compile.
# `make headers` compiles every header on its own with its folder's paths.

CFG      ?= release
BUILD    ?= build/$(CFG)
CC       ?= cc
V        ?= 0
Q        := $(if $(filter 1,$(V)),,@)

# OpenBLAS picks its kernels from the CPU unless told; the byte-identity goldens
# (tests/golden/cmteb-mini-results) were written with its Haswell kernels, which CI
# sets: so do the test targets when the environment does not.
OPENBLAS_CORETYPE ?= Haswell
export OPENBLAS_CORETYPE

PKGS     := openblas yaml-0.1 libzstd libutf8proc jansson snappy zlib liblz4 libbrotlidec libcurl libmicrohttpd
# PKG_CONFIG: a cross build names its own (tests/portability.sh, arm64)
PKG_CONFIG ?= pkg-config
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

# One binary per architecture, for the baseline of its instruction set: on
# x86-64 the AVX2/FMA, AVX-512 and AVX512-BF16/AMX kernels are compiled for
# their own targets (attributes in engine/) and chosen at run time
# (engine/kernels.h); other targets (AArch64: NEON is baseline) build as is.
TARGET_ARCH := $(shell $(CC) -dumpmachine 2>/dev/null)
ifneq ($(filter x86_64-%,$(TARGET_ARCH)),)
MARCH    := -march=x86-64
MTUNE    := -mtune=native
else
MARCH    :=
MTUNE    :=
endif

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla -Wno-format-nonliteral -Wno-format-truncation
ifneq ($(findstring clang,$(CC)),)
WARN     += -Wno-unknown-warning-option
endif
BASEFLAGS := -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(PKG_CFLAGS) -MMD -MP

EVAL_DIRS := eval eval/types eval/metrics eval/learn eval/data
INC_common := -Icommon
INC_engine := -Icommon -Iengine -Iengine/include
INC_hub    := -Icommon -Ihub
INC_eval   := -Icommon $(EVAL_DIRS:%=-I%)
# cli sees only engine's public header (engine/include/engine.h)
INC_cli    := $(INC_eval) -Iengine/include -Ihub -Icli
INC_all    := $(INC_cli) -Iengine -Itests/support
# include paths of a source or header path: by its top folder
inc_of = $(INC_$(firstword $(subst /, ,$(1))))
ifeq ($(CFG),release)
OPTFLAGS := -O2 -g $(MARCH) $(MTUNE)
else ifeq ($(CFG),asan)
OPTFLAGS := -O2 -g -fno-omit-frame-pointer $(MARCH) -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN    := -fsanitize=address,undefined
else ifeq ($(CFG),debug)
OPTFLAGS := -O0 -g $(MARCH)
else ifeq ($(CFG),fuzz)
OPTFLAGS := -O1 -g -fno-omit-frame-pointer $(MARCH) -fsanitize=fuzzer-no-link,address,undefined
LDSAN    := -fsanitize=address,undefined
endif
CFLAGS_ALL := $(BASEFLAGS) $(OPTFLAGS) $(CFLAGS)
LDLIBS_ALL := $(LDSAN) $(PKG_LIBS) -lm -pthread $(LDLIBS)

LIB_SRC  := $(wildcard common/*.c engine/*.c hub/*.c eval/*.c eval/*/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_SRC  := $(wildcard cli/*.c)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
HEADERS  := $(wildcard common/*.h engine/*.h engine/include/*.h hub/*.h eval/*.h eval/*/*.h cli/*.h)
LIB      := $(BUILD)/libceval.a
BIN      := $(BUILD)/ceval

TEST_SRC := $(filter-out tests/support/%,$(wildcard tests/*/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT_SRC := $(wildcard tests/support/*.c)
TEST_SUPPORT_OBJ := $(TEST_SUPPORT_SRC:%.c=$(BUILD)/%.o)

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_REGRESS := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz-regress/%)
FUZZ_TIME ?= 60

# Test fixtures generated from ../shared (never committed): the random
# checkpoints of ../shared/golden/make_models.py (tiny ones plus the 95 MB
# wide-zh-cls-f32), checked against models.sha256 and models-wide.sha256.
SHARED   ?= ../shared
FIXTURES ?= build/fixtures
PYTHON   ?= /usr/bin/python3
export CEVAL_SHARED := $(abspath $(SHARED))
export CEVAL_FIXTURES := $(abspath $(FIXTURES))

.SECONDARY:
.PHONY: soak portability bench-parquet headers fixtures all test check asan fuzz fuzz-build fuzz-run fuzz-regress deps clean help bench install demo unit cli
all: $(BIN)

$(LIB_OBJ) $(CLI_OBJ) $(TEST_SUPPORT_OBJ): $(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(or $(call inc_of,$<),$(INC_all)) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

# Every header compiles on its own, with only its folder's include paths.
HEADER_OK := $(HEADERS:%.h=$(BUILD)/headers/%.ok)
$(HEADER_OK): $(BUILD)/headers/%.ok: %.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(filter-out -MMD -MP,$(CFLAGS_ALL)) $(call inc_of,$<) -fsyntax-only -x c $< && touch $@

headers: $(HEADER_OK)

$(BUILD)/tests/%: tests/%.c $(TEST_SUPPORT_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(CFLAGS_ALL) $(INC_all) -o $@ $< $(TEST_SUPPORT_OBJ) $(LIB) $(CMOCKA_LIBS) $(LDLIBS_ALL)

$(BUILD)/fuzz-regress/%: tests/fuzz/%.c tests/fuzz/regress.c $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_ALL) $(INC_all) -o $@ $< tests/fuzz/regress.c $(LIB) $(LDLIBS_ALL)

$(FIXTURES)/.stamp: $(SHARED)/golden/make_models.py $(SHARED)/golden/models.sha256 $(SHARED)/golden/models-wide.sha256
	@mkdir -p $(FIXTURES)
	$(Q)$(PYTHON) $(SHARED)/golden/make_models.py $(FIXTURES)/models $(SHARED)/vocab/bert-base-chinese-vocab.txt $(SHARED)/vocab/bert-base-uncased-vocab.txt --wide
	$(Q)cd $(FIXTURES)/models && sha256sum --quiet -c $(abspath $(SHARED))/golden/models.sha256
	$(Q)cd $(FIXTURES)/models && sha256sum --quiet -c $(abspath $(SHARED))/golden/models-wide.sha256
	@touch $@

fixtures: $(FIXTURES)/.stamp

# Unit tests, then CLI tests, then the fuzz seed corpora.  Every binary runs
# even if an earlier one failed; the target fails if any did.
unit: $(TEST_BIN) $(FIXTURES)/.stamp
	@fail=0; for t in $(TEST_BIN); do echo "== $$t"; s=$$(date +%s); CEVAL_BIN=$(abspath $(BIN)) ./$$t || fail=1; \
	  echo "== $$t: $$(( $$(date +%s) - s )) s"; done; exit $$fail

cli: $(BIN) $(FIXTURES)/.stamp
	@fail=0; for s in $(wildcard tests/cli/*.sh); do echo "== $$s"; t0=$$(date +%s); CEVAL_BIN=$(abspath $(BIN)) bash $$s || fail=1; \
	  echo "== $$s: $$(( $$(date +%s) - t0 )) s"; done; exit $$fail

fuzz-regress: $(FUZZ_REGRESS)
	@fail=0; for f in $(FUZZ_REGRESS); do n=$$(basename $$f); echo "== corpus $$n"; ./$$f tests/fuzz/corpus/$${n#fuzz_} || fail=1; done; exit $$fail

test: headers $(BIN) $(TEST_BIN) $(FUZZ_REGRESS) $(FIXTURES)/.stamp
	@fail=0; \
	$(MAKE) --no-print-directory unit CFG=$(CFG) || fail=1; \
	$(MAKE) --no-print-directory cli CFG=$(CFG) || fail=1; \
	$(MAKE) --no-print-directory fuzz-regress CFG=$(CFG) || fail=1; \
	if [ $$fail = 0 ]; then echo "ceval test suite: all passed"; else echo "ceval test suite: FAILURES"; fi; exit $$fail

check: unit

asan:
	rm -rf build/asan/test-emb-cache
	CEVAL_TEST_EMB_CACHE=$(abspath build/asan/test-emb-cache) CEVAL_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(MAKE) --no-print-directory test CFG=asan

# libFuzzer: `make fuzz` rebuilds everything with clang in build/fuzz and runs
# each target for FUZZ_TIME seconds over its seed corpus.
$(BUILD)/fuzzers/%: tests/fuzz/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_ALL) $(INC_all) -fsanitize=fuzzer -o $@ $< $(LIB) $(LDLIBS_ALL)

fuzz-build: $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzzers/%)

fuzz-run: fuzz-build
	@for f in $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzzers/%); do n=$$(basename $$f); n=$${n#fuzz_}; \
	  mkdir -p $(BUILD)/corpus/$$n; echo "== fuzz $$n ($(FUZZ_TIME)s)"; \
	  ./$$f -max_total_time=$(FUZZ_TIME) -rss_limit_mb=4096 $(BUILD)/corpus/$$n tests/fuzz/corpus/$$n || exit 1; done

fuzz:
	$(MAKE) --no-print-directory CFG=fuzz CC=clang fuzz-run

# Benchmarks (not tests): the random bge-base-shaped checkpoint is generated
# once under $${XDG_CACHE_HOME:-~/.cache}/ceval-bench.  THREADS=n to choose.
$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_ALL) $(INC_all) -o $@ $< $(LIB) $(LDLIBS_ALL)

bench: $(BIN) $(BUILD)/bench/knn_bench
	bash bench/run.sh $(BIN) $(BUILD)/bench/knn_bench $(THREADS)
	bash bench/mpi_scale.sh $(BIN)
	bash bench/serve_bench.sh $(BIN) $(THREADS)

# 60 s of 16 concurrent clients against `ceval serve`: failed requests and RSS.
soak: $(BIN)
	bash bench/serve_soak.sh $(BIN)

# A ~1 GB Parquet corpus read by ceval and by DuckDB (npm), once generated.
bench-parquet: $(BUILD)/bench/parquet_bench
	bash bench/parquet_scale.sh $(BUILD)/bench/parquet_bench

deps:
	bash tools/install_deps.sh

# What CI cannot run natively (tests/portability.sh, a few minutes): this
# baseline x86-64 build under qemu-x86_64 -cpu Nehalem (no AVX: the portable
# kernels) and an arm64 cross build (build/arm64) under qemu-aarch64, each
# running unit tests and the encoder goldens.
portability: $(BIN) $(BUILD)/tests/engine/test_encoder $(BUILD)/tests/engine/test_vmath $(FIXTURES)/.stamp
	BUILD=$(BUILD) bash tests/portability.sh

# The offline demo: the shipped model on the shipped demo suite, then the
# leaderboard markdown of what results/ holds for the demo suite.
demo: $(BIN)
	$(BIN) run --model models/ceval-tiny-zh --suite demo --data-dir datasets --output results --overwrite
	@echo
	$(BIN) leaderboard --results results --suite demo

PREFIX ?= /usr/local
DESTDIR ?=
# Installs the binary, the task definitions (found by ceval at
# $(PREFIX)/share/ceval/tasks), the published results (share/ceval/published) and the man page.
install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ceval $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/ceval
	rm -rf $(DESTDIR)$(PREFIX)/share/ceval/tasks
	cp -r tasks $(DESTDIR)$(PREFIX)/share/ceval/tasks
	rm -rf $(DESTDIR)$(PREFIX)/share/ceval/published
	cp -r published $(DESTDIR)$(PREFIX)/share/ceval/published
	install -m 644 doc/ceval.1 $(DESTDIR)$(PREFIX)/share/man/man1/ceval.1

clean:
	rm -rf build

help:
	@sed -n '3,/^#$$/p' Makefile | sed -e 's/^# //' -e '/^#$$/d'

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_SUPPORT_OBJ:.o=.d)
