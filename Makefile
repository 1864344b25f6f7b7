# wfgen — plain GNU make.
#
#   make run        install missing build packages (as root), build, run `wfgen build`
#   make test       same set-up, then unit tests, golden tests, fuzz-corpus replay, node peers
#   make check      what CI runs: -Werror build, test, asan, tsan, format-check
#   make bench      speed and memory figures against peers (not part of test)
#   make fuzz       libFuzzer targets (clang), FUZZ_TIME seconds each
#
# VARIANT=debug|release|san selects build/$(VARIANT)/.

VARIANT  ?= release
BUILD    ?= build/$(VARIANT)
CC       ?= cc
PKGS     := jansson yaml-0.1 libpcre2-8 libcrypto
DEBS     := libyaml-dev libjansson-dev libcmocka-dev libpcre2-dev libssl-dev pkg-config tzdata

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wold-style-definition -Wwrite-strings -Wvla -Wformat=2 -Wundef -Wcast-align \
        -Wpointer-arith -Wconversion -Wno-sign-conversion -fno-common
ifeq ($(WERROR),1)
WARN += -Werror
endif

OPT_debug   := -O0 -g3
OPT_release := -O2 -g -DNDEBUG
OPT_san     := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
LDOPT_san   := -fsanitize=address,undefined
OPT_tsan    := -O1 -g -fsanitize=thread
LDOPT_tsan  := -fsanitize=thread

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcrypto is loaded on first use (src/base/crypto.c), not linked: its headers only.
PKG_LIBS   = $(shell pkg-config --libs $(filter-out libcrypto,$(PKGS)) 2>/dev/null)
CRYPTO_SO  = libcrypto.so.$(firstword $(subst ., ,$(shell pkg-config --modversion libcrypto 2>/dev/null)))
CFLAGS  += -std=c11 -pthread -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(OPT_$(VARIANT)) \
           -Isrc $(PKG_CFLAGS) -DWFGEN_LIBCRYPTO='"$(CRYPTO_SO)"' -MMD -MP
LDFLAGS += $(LDOPT_$(VARIANT))
LDLIBS  += $(PKG_LIBS) -lm -pthread -ldl

ALL_SRC  := $(sort $(wildcard src/*.c src/*/*.c))
CLI_SRC  := src/main.c $(wildcard src/cmd_*.c)
LIB_SRC  := $(filter-out $(CLI_SRC),$(ALL_SRC))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libwfgen.a
BIN      := $(BUILD)/wfgen

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(BUILD)/tests/replay_%)

.PHONY: all deps run test unit golden replay node-deps node-test check asan tsan valgrind \
        fuzz bench format format-check golden-update docs clean install

all: $(BIN)

# Installs what the build needs when it is missing; only root can, others get a hint.
deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; \
	  else echo "missing packages:$$missing (run: sudo apt-get install$$missing)"; exit 4; fi; \
	fi

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c tests/unit/helpers.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka

$(BUILD)/tests/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ tests/fuzz/replay.c $< $(LIB) $(LDLIBS)

run: deps
	@$(MAKE) --no-print-directory all
	$(BIN) build

test: deps
	@$(MAKE) --no-print-directory all unit replay golden node-test docs-check

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do LC_ALL=C $$t || fail=1; done; exit $$fail

replay: $(REPLAY_BIN)
	@fail=0; for r in $(REPLAY_BIN); do n=$${r##*/replay_}; \
	  LC_ALL=C $$r tests/fuzz/corpus/$$n || fail=1; done; exit $$fail

golden: $(BIN)
	@LC_ALL=C WFGEN=$(abspath $(BIN)) tests/golden.sh

golden-update: $(BIN)
	@LC_ALL=C UPDATE=1 WFGEN=$(abspath $(BIN)) tests/golden.sh

node-deps:
	@tests/node/setup.sh

node-test: $(BIN) node-deps
	@LC_ALL=C WFGEN=$(abspath $(BIN)) tests/node/run.sh

check: deps
	@$(MAKE) --no-print-directory WERROR=1 all unit replay golden node-test
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory tsan
	@$(MAKE) --no-print-directory format-check

asan:
	@$(MAKE) --no-print-directory VARIANT=san WERROR=1 all unit replay golden

# ThreadSanitizer over what runs on several threads (see tests/tsan.sh).
tsan:
	@$(MAKE) --no-print-directory VARIANT=tsan WERROR=1 all build/tsan/tests/test_build \
	  build/tsan/tests/test_hcl
	@WFGEN=$(abspath build/tsan/wfgen) tests/tsan.sh

valgrind: $(BIN) $(UNIT_BIN)
	@for t in $(UNIT_BIN); do valgrind -q --error-exitcode=1 --leak-check=full $$t || exit 1; done
	@LC_ALL=C VALGRIND=1 WFGEN=$(abspath $(BIN)) tests/golden.sh

FUZZ_TIME ?= 60
fuzz:
	@mkdir -p build/fuzz
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  clang -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -Isrc $(PKG_CFLAGS) \
	    -fsanitize=fuzzer,address,undefined $$f $(LIB_SRC) $(PKG_LIBS) -lm -o build/fuzz/$$n && \
	  mkdir -p build/fuzz/corpus-$$n && \
	  build/fuzz/$$n -max_total_time=$(FUZZ_TIME) build/fuzz/corpus-$$n \
	    tests/fuzz/corpus/$${n#fuzz_} || exit 1; done

bench: deps
	@$(MAKE) --no-print-directory all node-deps
	@WFGEN=$(abspath $(BIN)) bench/run.sh

docs: $(BIN)
	WFGEN=$(abspath $(BIN)) tests/gen_diag_docs.sh > docs/diagnostics.md

docs-check: $(BIN)
	@WFGEN=$(abspath $(BIN)) tests/docs_check.sh

format:
	clang-format -i $(ALL_SRC) $(wildcard src/*.h src/*/*.h) $(UNIT_SRC) $(FUZZ_SRC)

format-check:
	@clang-format --dry-run --Werror $(ALL_SRC) $(wildcard src/*.h src/*/*.h) \
	  $(UNIT_SRC) $(FUZZ_SRC) && echo "format ok"

PREFIX ?= /usr/local
install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/wfgen/templates/terraform
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/wfgen
	install -m 644 templates/terraform/*.tf.tmpl $(DESTDIR)$(PREFIX)/share/wfgen/templates/terraform/
	install -d $(DESTDIR)$(PREFIX)/share/doc/wfgen
	install -m 644 docs/*.md $(DESTDIR)$(PREFIX)/share/doc/wfgen/

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
