# glintefy - build, test, demo, bench, fuzz, install.
# `make V=1` shows the full commands. Every src/**/*.c is compiled; new files are picked up.

CC       := gcc
FUZZ_CC  := clang
PYTHON   ?= python3
PREFIX   ?= /usr/local
DESTDIR  ?=
FUZZ_SECONDS ?= 60

WARN     := -std=c11 -Wall -Wextra -Wpedantic -Werror
CPPFLAGS := -D_GNU_SOURCE -MMD -MP
CFLAGS   := $(WARN) -O2 -g
ASANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_CFLAGS := $(WARN) -O1 -g $(ASANFLAGS)
# clang warns about other things than gcc: the fuzz build does not turn warnings into errors.
FUZZ_CFLAGS := -std=c11 -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
# Libraries (Debian packages in tools/deps.sh): JSON input, hash function.
LDLIBS   := -ljansson -lxxhash -pthread -lm

ifeq ($(V),1)
Q :=
else
Q := @
endif
MAKEFLAGS += --no-print-directory

SRCS      := $(wildcard src/*.c src/*/*.c src/*/*/*.c)
LIB_SRCS  := $(filter-out src/main.c,$(SRCS))
UNIT_SRCS := $(wildcard tests/unit/*.c)

OBJS      := $(SRCS:%.c=build/obj/%.o)
LIB_OBJS  := $(LIB_SRCS:%.c=build/obj/%.o)
UNIT_OBJS := $(UNIT_SRCS:%.c=build/obj/%.o)
ASAN_OBJS      := $(SRCS:%.c=build/asan/obj/%.o)
ASAN_LIB_OBJS  := $(LIB_SRCS:%.c=build/asan/obj/%.o)
ASAN_UNIT_OBJS := $(UNIT_SRCS:%.c=build/asan/obj/%.o)
FUZZ_OBJS := $(LIB_SRCS:%.c=build/fuzz/obj/%.o)

BIN       := build/glintefy
ASAN_BIN  := build/asan/glintefy
UNIT      := build/unit-tests
ASAN_UNIT := build/asan/unit-tests
# The binary a wheel ships (setup.py, `pip install .`): the same objects, with libjansson and
# libxxhash linked statically and symbols stripped, so it needs nothing but the C library.
# PKG_LDLIBS="$(LDLIBS)" links them dynamically instead.
PKG_BIN   := build/pkg/glintefy
PKG_LDLIBS ?= -Wl,-Bstatic -ljansson -lxxhash -Wl,-Bdynamic -pthread -lm
# `make fuzz FUZZ_TARGET=marshal` fuzzes the .prof reader (fuzz/fuzz_marshal.c) instead of the parser,
# FUZZ_TARGET=trace the .gtr trace reader (fuzz/fuzz_trace.c), FUZZ_TARGET=toml the TOML reader
# of pyproject.toml (fuzz/fuzz_toml.c), FUZZ_TARGET=mcp the MCP server's message reader
# (fuzz/fuzz_mcp.c), FUZZ_TARGET=cachestats the cache_stats.json reader (fuzz/fuzz_cachestats.c),
# FUZZ_TARGET=patch the source editor of review cache --fix (fuzz/fuzz_patch.c).
FUZZ_TARGET ?= parse
FUZZ_BIN  := build/fuzz/fuzz_$(FUZZ_TARGET)
FUZZ_CORPUS_parse       := build/fuzz-corpus
FUZZ_SEED_parse         := fuzz/seed_corpus.py
FUZZ_REGRESSIONS_parse  := tests/fuzz-regressions
FUZZ_CORPUS_marshal     := build/fuzz-corpus-marshal
FUZZ_SEED_marshal       := fuzz/seed_marshal.py
FUZZ_REGRESSIONS_marshal := tests/profile/fuzz-regressions
FUZZ_CORPUS_trace       := build/fuzz-corpus-trace
FUZZ_SEED_trace         := fuzz/seed_trace.py
FUZZ_REGRESSIONS_trace  := tests/runtime/fuzz-regressions
FUZZ_CORPUS_toml        := build/fuzz-corpus-toml
FUZZ_SEED_toml          := fuzz/seed_toml.py
FUZZ_REGRESSIONS_toml   := tests/review/fuzz-regressions
FUZZ_CORPUS_patch       := build/fuzz-corpus-patch
FUZZ_SEED_patch         := fuzz/seed_patch.py
FUZZ_REGRESSIONS_patch  := tests/patch/fuzz-regressions
FUZZ_CORPUS_mcp         := build/fuzz-corpus-mcp
FUZZ_SEED_mcp           := fuzz/seed_mcp.py
FUZZ_REGRESSIONS_mcp    := tests/mcp/fuzz-regressions
FUZZ_CORPUS_cachestats  := build/fuzz-corpus-cachestats
FUZZ_SEED_cachestats    := fuzz/seed_cachestats.py
FUZZ_REGRESSIONS_cachestats := tests/profile/cachestats-fuzz-regressions

.SECONDARY: $(FUZZ_OBJS)
.PHONY: FORCE all check demo bench fuzz install uninstall clean deps asan conformance-update
.DEFAULT_GOAL := all

all: $(BIN)

asan: $(ASAN_BIN) $(ASAN_UNIT)

$(BIN): $(OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(PKG_BIN): $(OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -s -o $@ $^ $(PKG_LDLIBS)

$(ASAN_BIN): $(ASAN_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(ASAN_CFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests: every TEST(name) in tests/unit/*.c is listed in a generated header.
# Rebuilt every time (a deleted test file must leave the list too), replaced only on change.
build/unit/list.h: FORCE
	@mkdir -p $(@D)
	$(Q)grep -ho '^TEST([A-Za-z0-9_]*)' $(UNIT_SRCS) | sed 's/^TEST/X/' > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

FORCE:

$(UNIT_OBJS) $(ASAN_UNIT_OBJS): build/unit/list.h
$(UNIT_OBJS) $(ASAN_UNIT_OBJS): CPPFLAGS += -Ibuild/unit

$(UNIT): $(UNIT_OBJS) $(LIB_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(ASAN_UNIT): $(ASAN_UNIT_OBJS) $(ASAN_LIB_OBJS)
	@echo "  LD      $@"
	$(Q)$(CC) $(ASAN_CFLAGS) -o $@ $^ $(LDLIBS)

build/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

build/asan/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $< (asan)"
	$(Q)$(CC) $(CPPFLAGS) $(ASAN_CFLAGS) -c -o $@ $<

build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $< (fuzz)"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

-include $(OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(ASAN_OBJS:.o=.d) $(ASAN_UNIT_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d)

# Installs missing Debian packages (as root) and the pinned npm packages of tests/ref.
deps:
	$(Q)sh tools/deps.sh

# Every suite (unit, cli, golden, fuzz regressions, conformance), on the normal and the
# ASan+UBSan build; the last line of output is "N passed, N failed".
# A failed set-up or build still ends with the summary line, as one failure.
check:
	$(Q){ $(MAKE) -s deps && $(MAKE) -s $(BIN) $(UNIT) $(ASAN_BIN) $(ASAN_UNIT); } || \
	    { echo "check: set-up or build failed (see above)"; echo "0 passed, 1 failed"; exit 1; }
	$(Q)$(PYTHON) tests/check.py

conformance-update: $(BIN)
	$(Q)$(PYTHON) tests/conformance/conformance.py --update

demo: deps
	$(Q)$(MAKE) -s $(BIN)
	$(Q)sh examples/demo.sh

# The miss-ratio curve benchmark: a small program over the library's objects.
build/mrc-bench: bench/mrc_bench.c build/obj/src/runtime/mrc.o build/obj/src/base/xalloc.o
	@echo "  LD      $@"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(LDLIBS)

bench: $(BIN) build/mrc-bench
	$(Q)$(PYTHON) bench/parse_bench.py
	$(Q)$(PYTHON) bench/profile_bench.py
	$(Q)$(PYTHON) bench/cache_bench.py
	$(Q)$(PYTHON) bench/review_profile_bench.py
	$(Q)$(PYTHON) bench/mrc_bench.py
	$(Q)$(PYTHON) bench/html_bench.py
	$(Q)$(PYTHON) bench/hostile_bench.py

build/fuzz/fuzz_%: fuzz/fuzz_%.c $(FUZZ_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(FUZZ_CC) $(CPPFLAGS) -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

fuzz: $(FUZZ_BIN)
	$(Q)$(PYTHON) $(FUZZ_SEED_$(FUZZ_TARGET)) $(FUZZ_CORPUS_$(FUZZ_TARGET))
	@mkdir -p build/fuzz/artifacts
	@echo "  FUZZ    $(FUZZ_SECONDS) s; crashes go to build/fuzz/artifacts/ (copy them to $(FUZZ_REGRESSIONS_$(FUZZ_TARGET))/)"
	$(Q)$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/ $(FUZZ_CORPUS_$(FUZZ_TARGET))

# The binary in PREFIX/bin, the Python package (`python3 -m glintefy`) where $(PYTHON) looks
# under PREFIX (tools/install_python.py says so when that is not on its path).
install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/glintefy
	$(Q)$(PYTHON) tools/install_python.py --prefix "$(PREFIX)" --destdir "$(DESTDIR)"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/glintefy
	$(Q)$(PYTHON) tools/install_python.py --uninstall --prefix "$(PREFIX)" --destdir "$(DESTDIR)"

clean:
	rm -rf build
