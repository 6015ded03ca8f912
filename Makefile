# demine -- GNU make build. `make demo` and `make test` are the two commands a
# new user needs; see README.md. `make SAN=1 test` runs the whole suite under
# AddressSanitizer and UndefinedBehaviorSanitizer.

PKGS      := gdal geos proj sqlite3 libmicrohttpd cairo libsodium jansson zlib
CC        ?= cc
SAN       ?= 0
OPT       ?= -O2
ifeq ($(SAN),1)
BUILD     := build-san
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT       := -O1
else
BUILD     := build
SANFLAGS  :=
endif

WARN      := -Wall -Wextra -Wpedantic -Wshadow -Wvla -Wstrict-prototypes -Wmissing-prototypes \
             -Wno-unused-parameter
PKG_CFLAGS = $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS    += -Itests -std=c11 -D_GNU_SOURCE -g $(OPT) $(WARN) $(SANFLAGS) -pthread -Iinclude -Isrc/lib $(PKG_CFLAGS)
LDLIBS    += $(PKG_LIBS) -lm -pthread
LDFLAGS   += $(SANFLAGS)

LIB_SRC   := $(sort $(wildcard src/lib/*/*.c))
CLI_SRC   := $(sort $(wildcard src/cli/*.c) $(wildcard src/server/*.c))
TEST_SRC  := $(sort $(wildcard tests/unit/*.c)) tests/runner.c
BENCH_SRC := $(sort $(wildcard bench/bench_*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ  := $(TEST_SRC:%.c=$(BUILD)/%.o)
LIB       := $(BUILD)/libdemine.a
BIN       := $(BUILD)/demine
TESTBIN   := $(BUILD)/demine-tests

.PHONY: all deps deps-check test-deps demo test check bench clean lint fuzz

all: deps-check $(BIN) demine

# A link at the top of the tree so that `./demine` works after `make`.
demine: $(BIN)
	@ln -sf $(BIN) demine

deps:
	@sh scripts/install-deps.sh

deps-check:
	@pkg-config --exists $(PKGS) || sh scripts/install-deps.sh

test-deps:
	@sh scripts/install-deps.sh --test

# Every object waits for the packages to be installed (order-only), so that
# `make -j2` on a fresh machine does not compile before the headers are there.
# `make test` installs the test extras in the same single step.
DEPS_STEP := $(if $(filter test check,$(MAKECMDGOALS)),test-deps,deps-check)

$(BUILD)/%.o: %.c | $(DEPS_STEP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(TESTBIN): $(TEST_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(LIB) $(LDLIBS)

# All tests: unit, command-line and end-to-end, one summary line at the end.
test: test-deps $(BIN) $(TESTBIN)
	@sh scripts/lint.sh
	@DEMINE_BIN=$(abspath $(BIN)) DEMINE_ROOT=$(CURDIR) $(TESTBIN) $(T)

check: test

# The main job on the built-in demo scenario.
DEMO_DB ?= demo.gpkg
demo: deps-check $(BIN) demine
	@sh scripts/demo.sh $(BIN) $(DEMO_DB)

bench: deps-check $(BIN)
	@sh bench/run.sh $(abspath $(BIN))

lint:
	@sh scripts/lint.sh

clean:
	rm -rf build build-san demine

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)

# Fuzz every tests/fuzz/fuzz_*.c target with libFuzzer (clang) for FUZZ_SECONDS each.
FUZZ_SECONDS ?= 60
fuzz:
	@sh scripts/fuzz.sh $(FUZZ_SECONDS)

# ---- web pages built into the binary, server fuzzing (src/server, web/) ----
# scripts/embed_web.sh turns web/ into a C file so that `demine serve` works
# from any directory with no files next to it.
WEB_FILES := $(shell find web -type f ! -name '*.map' 2>/dev/null)
WEB_OBJ   := $(BUILD)/gen/web_assets.o
$(BUILD)/gen/web_assets.c: $(WEB_FILES) scripts/embed_web.sh
	@mkdir -p $(dir $@)
	sh scripts/embed_web.sh web > $@.tmp && mv $@.tmp $@
$(WEB_OBJ): $(BUILD)/gen/web_assets.c
	$(CC) $(CFLAGS) -w -c $< -o $@
$(BIN): $(WEB_OBJ)
CLI_OBJ += $(WEB_OBJ)

# Data set of bench/server.bench.sh.
$(BUILD)/bench_server_data: bench/bench_server_data.c $(LIB)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# ---- route benchmark harness (bench/bench_route.c; used by bench/route.bench.sh) ----
BENCH_ROUTE := $(BUILD)/bench-route
$(BENCH_ROUTE): $(BUILD)/bench/bench_route.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)
bench-route: $(BENCH_ROUTE)
.PHONY: bench-route

# ---- distance transform: square roots without errno, so that they vectorise ----
$(BUILD)/src/lib/raster/edt.o: CFLAGS += -fno-math-errno
