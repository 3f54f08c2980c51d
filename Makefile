# chat-server: build, test, install.
#
#   make                 ./server, ./client, ./chat-admin and ./chat-bench
#   make test            the Google Test suite (unit and real-process tests)
#   make asan            the same suite built with AddressSanitizer and UBSan
#   make bench           measure the server (see BENCHMARKS.md)
#   make demo            the process-isolation demo
#   make install         PREFIX=/usr/local DESTDIR= (programs stripped, man
#                        pages, systemd unit); make uninstall removes exactly
#                        what it installed (see installed-files.txt)
#   make format          clang-format every source file
#   make fuzz            build the libFuzzer targets (fuzz/, with clang) and
#                        run each for FUZZ_SECONDS (default 60); fails on
#                        any crash. make fuzz-TARGET runs one (mk/fuzz.mk)
#
# WERROR=1 turns warnings into errors (CI does). SANITIZE=address,undefined
# builds everything sanitized into build/sanitize/ instead of the top level.
# Missing Debian packages are installed before anything is compiled: for
# the programs only what building needs; for the tests the test tools too.

CXX ?= g++
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# systemd reads units from /usr/local/lib/systemd/system as well as /usr/lib.
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
# What `make install` wrote, for `make uninstall` (kept by `make clean`).
INSTALL_MANIFEST := installed-files.txt

# --- Debian packages: "probe-file:package" ----------------------------------
# Each list is installed (with apt-get, see mk/install-packages.sh) before
# the goals that need it run: plain `make` and `make install` only the
# build dependencies; `make test`, `make asan` and `make test-MODULE` the
# test-only ones as well; `make format` clang-format.
BUILD_PACKAGE_PROBES := \
  /usr/bin/g++:g++ \
  /usr/bin/pkg-config:pkg-config \
  /usr/include/uv.h:libuv1-dev \
  /usr/include/CLI/CLI.hpp:libcli11-dev \
  /usr/include/editline/readline.h:libedit-dev \
  /usr/include/sqlite3.h:libsqlite3-dev \
  /usr/include/sodium.h:libsodium-dev \
  /usr/include/nlohmann/json.hpp:nlohmann-json3-dev \
  /usr/include/gnutls/gnutls.h:libgnutls28-dev \
  /usr/include/wslay/wslay.h:libwslay-dev \
  /usr/include/http_parser.h:libhttp-parser-dev \
  /usr/include/seccomp.h:libseccomp-dev \
  /usr/include/unistr.h:libunistring-dev
# Test-only: Google Test and Mock, mandoc for the manual-page test (and a
# browser for browser tests, where there are any).
TEST_PACKAGE_PROBES := \
  /usr/include/gtest/gtest.h:libgtest-dev \
  /usr/include/gmock/gmock.h:libgmock-dev \
  /usr/bin/mandoc:mandoc \
  /usr/bin/chromium:chromium \
  /usr/bin/chromedriver:chromium-driver \
  /usr/lib/python3/dist-packages/selenium/__init__.py:python3-selenium
FORMAT_PACKAGE_PROBES := \
  /usr/bin/clang-format:clang-format
# libFuzzer comes with clang (libclang-rt-dev holds its runtime).
FUZZ_PACKAGE_PROBES := \
  /usr/bin/clang++:clang
probe_file = $(firstword $(subst :, ,$(1)))
probe_package = $(lastword $(subst :, ,$(1)))
GOALS := $(or $(MAKECMDGOALS),all)
NEEDED_PROBES := \
  $(if $(filter-out clean uninstall format,$(GOALS)),$(BUILD_PACKAGE_PROBES)) \
  $(if $(filter test asan test-%,$(GOALS)),$(TEST_PACKAGE_PROBES)) \
  $(if $(filter format,$(GOALS)),$(FORMAT_PACKAGE_PROBES)) \
  $(if $(filter fuzz fuzz-%,$(GOALS)),$(FUZZ_PACKAGE_PROBES))
MISSING_PACKAGES := $(sort $(strip $(foreach p,$(NEEDED_PROBES),\
  $(if $(wildcard $(call probe_file,$(p))),,$(call probe_package,$(p))))))
ifneq ($(MISSING_PACKAGES),)
INSTALL_STATUS := $(shell ./mk/install-packages.sh $(MISSING_PACKAGES) >&2; echo $$?)
ifneq ($(INSTALL_STATUS),0)
$(error missing Debian packages: $(MISSING_PACKAGES))
endif
endif

.SECONDEXPANSION:

# --- Flags ------------------------------------------------------------------
CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++20 -Wall -Wextra -pthread
CPPFLAGS += -Isrc -Itests -MMD -MP
# Symbols bound at start-up, before workers are forked, so that each worker
# does not dirty its own copy of the relocation pages on first use.
LDFLAGS += -pthread -Wl,-z,now
ifeq ($(WERROR),1)
CXXFLAGS += -Werror
endif

ifdef SANITIZE
BUILD := build/sanitize
BIN := build/sanitize
CXXFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
# GCC 12 reports false -Wmaybe-uninitialized warnings inside <regex> when
# the sanitizers are on (tests that use std::regex); release builds keep it.
CXXFLAGS += -Wno-maybe-uninitialized
LDFLAGS += -fsanitize=$(SANITIZE)
else
# The server runs a process per connection: with the C++ runtime linked in,
# a new worker has two fewer libraries to map, fault in, bind symbols of
# (libstdc++ binds its own calls lazily) and unmap at exit, and no private
# copies of their data pages (measured: ~10 KiB less Pss per session, and
# more sessions per second). The sanitizers need the shared runtime.
SERVER_LDFLAGS := -static-libstdc++ -static-libgcc
BUILD := build/release
BIN := .
endif

UV_LIBS := $(shell pkg-config --libs libuv 2>/dev/null || echo -luv)
EDIT_CFLAGS := $(shell pkg-config --cflags libedit 2>/dev/null)
EDIT_LIBS := $(shell pkg-config --libs libedit 2>/dev/null || echo -ledit)
GTEST_LIBS := -lgmock -lgtest
STORE_LIBS := -lsqlite3 -lsodium
# The client's file transfer: SHA-256 and Base64 (libsodium, as the store's
# password hashing).
CLIENT_LIBS := -lsodium
GNUTLS_LIBS := $(shell pkg-config --libs gnutls 2>/dev/null || echo -lgnutls)
# The transports: TLS (GnuTLS), WebSocket frames (wslay), HTTP request heads
# (http-parser).
TRANSPORT_LIBS := $(GNUTLS_LIBS) -lwslay -lhttp_parser
# The worker's seccomp filter: libseccomp writes the BPF program from a list
# of calls by name, for the machine's own architecture, rather than by hand.
SECCOMP_LIBS := -lseccomp
# Everything the server links, GnuTLS's own dependencies spelled out.
SERVER_LIBS := $(STORE_LIBS) \
  $(shell pkg-config --static --libs gnutls 2>/dev/null || echo -lgnutls) \
  -lwslay -lhttp_parser $(SECCOMP_LIBS) -lm
ifndef SANITIZE
# The release server links these from the static archives their Debian -dev
# packages ship, for the reason it links the C++ runtime in (above): every
# worker is a copy of the server, and each shared library is five more
# mappings that every worker's fork copies and its exit tears down, with
# pages of its own data to copy on write. Measured with chat-bench churn
# (sandboxed, --ephemeral, taskset as make bench): 106 mappings down to 48,
# about 25% more sessions per second. p11-kit and wslay come without an
# archive and stay shared; so do the C library and libm. The price: a
# security update of one of these packages reaches the server only when it
# is linked again. The archives are prerequisites of ./server, so `make`
# after the update relinks it (then restart the server; README.md).
SERVER_ARCHIVED := sqlite3 sodium gnutls hogweed nettle gmp tasn1 idn2 \
  unistring http_parser seccomp
# Each asked for once: where its archive is (the compiler's search path;
# no path when the archive is missing, and the library stays shared).
archive_of = $(filter /%,$(shell $(CXX) -print-file-name=lib$(1).a))
SERVER_ARCHIVES := $(foreach l,$(SERVER_ARCHIVED),$(call archive_of,$(l)))
SERVER_STATIC := $(patsubst lib%.a,-l%,$(notdir $(SERVER_ARCHIVES)))
# A comma inside $(if ...).
, := ,
SERVER_LIBS := $(foreach w,$(SERVER_LIBS),$(if $(filter $(w),$(SERVER_STATIC)), \
  -Wl$(,)-Bstatic $(w) -Wl$(,)-Bdynamic,$(w)))
endif

# --- Sources ----------------------------------------------------------------
objects = $(patsubst %.cc,$(BUILD)/%.o,$(1))
sources = $(wildcard $(1)/*.cc)

IPC_LIB := $(BUILD)/libipc.a
PROTOCOL_LIB := $(BUILD)/libprotocol.a
COMMAND_LINE_LIB := $(BUILD)/libcommand_line.a
TRANSPORT_LIB := $(BUILD)/libtransport.a
WEB_LIB := $(BUILD)/libweb.a
SERVER_LIB := $(BUILD)/libserver.a
STORE_LIB := $(BUILD)/libstore.a
ADMIN_LIB := $(BUILD)/libadmin.a
CLIENT_LIB := $(BUILD)/libclient.a
BENCH_LIB := $(BUILD)/libbench.a
SUPPORT_LIB := $(BUILD)/libtestsupport.a

PROGRAMS := $(BIN)/server $(BIN)/client
PROGRAMS += $(BIN)/chat-admin
ifneq ($(wildcard src/bench/main.cc),)
PROGRAMS += $(BIN)/chat-bench
endif

# One test binary per module (tests/<module>/*.cc), like libuv's one process
# per test: a crash in one module's tests cannot hide another's results.
TEST_MODULES := $(notdir $(patsubst %/,%,$(dir $(wildcard tests/*/*_test.cc))))
TEST_MODULES := $(sort $(TEST_MODULES))
TEST_BINS := $(foreach m,$(TEST_MODULES),$(BUILD)/tests/$(m)_tests)

.PHONY: all test asan bench demo install uninstall clean format \
  $(addprefix test-,$(TEST_MODULES))
all: $(PROGRAMS)

$(BUILD)/src/client/%.o: CPPFLAGS += $(EDIT_CFLAGS)

# Objects are rebuilt when the flags change: the stamp is rewritten only
# when its text differs.
FLAGS_STAMP := $(BUILD)/.flags
FLAGS_TEXT := $(CXX) $(CPPFLAGS) $(CXXFLAGS) $(LDFLAGS) $(SERVER_LDFLAGS)
# (Not for goals that build nothing here: the fuzz targets have their own.)
ifneq ($(filter-out clean format uninstall fuzz fuzz-%,$(GOALS)),)
$(shell mkdir -p $(BUILD) && (echo '$(FLAGS_TEXT)' | cmp -s - $(FLAGS_STAMP) \
  || echo '$(FLAGS_TEXT)' > $(FLAGS_STAMP)))
endif

$(BUILD)/%.o: %.cc $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c -o $@ $<

# Archives are recreated, not updated, so a removed source leaves no member.
$(BUILD)/lib%.a:
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(IPC_LIB): $(call objects,$(call sources,src/ipc))
$(PROTOCOL_LIB): $(call objects,$(call sources,src/protocol))
$(COMMAND_LINE_LIB): $(call objects,$(call sources,src/command_line))
$(TRANSPORT_LIB): $(call objects,$(call sources,src/transport))
$(WEB_LIB): $(call objects,$(call sources,src/web))
# The web page: src/web/index.html with each "@include FILE" line replaced
# by src/web/FILE, its style sheet and scripts kept as files of their own,
# then built into the object (.incbin, see src/web/page.cc).
WEB_PAGE := $(BUILD)/web/index.html
$(WEB_PAGE): src/web/index.html $(wildcard src/web/*.css src/web/*.js)
	@mkdir -p $(@D)
	awk '/^@include / { file = "src/web/" $$2; n = 0; \
	  while ((got = (getline line < file)) > 0) { print line; n++ } \
	  if (got < 0 || n == 0) { print "no " file > "/dev/stderr"; exit 1 } \
	  close(file); next } { print }' $< > $@.tmp && mv $@.tmp $@
$(BUILD)/src/web/page.o: $(WEB_PAGE)
$(BUILD)/src/web/page.o: CPPFLAGS += -DCHAT_WEB_PAGE='"$(WEB_PAGE)"'
$(SERVER_LIB): $(call objects,$(filter-out %/main.cc,$(call sources,src/server)))
$(STORE_LIB): $(call objects,$(call sources,src/store))
$(ADMIN_LIB): $(call objects,$(filter-out %/main.cc,$(call sources,src/admin)))
$(CLIENT_LIB): $(call objects,$(filter-out %/main.cc,$(call sources,src/client)))
$(BENCH_LIB): $(call objects,$(filter-out %/main.cc,$(call sources,src/bench)))
$(SUPPORT_LIB): $(call objects,$(call sources,tests/support))

# Layering: server -> store, ipc, protocol, transport, web; store -> ipc;
# admin -> store, protocol; client -> protocol, transport; bench -> protocol,
# transport; every program but chat-admin -> command_line (its name, usage
# and usage errors).
$(BIN)/server: $(BUILD)/src/server/main.o $(SERVER_LIB) $(STORE_LIB) \
    $(IPC_LIB) $(PROTOCOL_LIB) $(COMMAND_LINE_LIB) $(TRANSPORT_LIB) $(WEB_LIB) \
    $(SERVER_ARCHIVES)
	$(CXX) $(LDFLAGS) $(SERVER_LDFLAGS) -o $@ \
	  $(filter-out $(SERVER_ARCHIVES),$^) $(SERVER_LIBS)

$(BIN)/chat-admin: $(BUILD)/src/admin/main.o $(ADMIN_LIB) $(STORE_LIB) \
    $(PROTOCOL_LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(STORE_LIBS)

$(BIN)/client: $(BUILD)/src/client/main.o $(CLIENT_LIB) $(PROTOCOL_LIB) \
    $(COMMAND_LINE_LIB) $(TRANSPORT_LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(UV_LIBS) $(EDIT_LIBS) $(TRANSPORT_LIBS) \
	  $(CLIENT_LIBS)

$(BIN)/chat-bench: $(BUILD)/src/bench/main.o $(BENCH_LIB) $(PROTOCOL_LIB) \
    $(COMMAND_LINE_LIB) $(TRANSPORT_LIB)
	$(CXX) $(LDFLAGS) -o $@ $^ $(TRANSPORT_LIBS) -lsodium

# What each module's tests link and which programs they start.
LIBS_ipc := $(IPC_LIB)
LIBS_protocol := $(PROTOCOL_LIB)
LIBS_server := $(SUPPORT_LIB) $(SERVER_LIB) $(STORE_LIB) $(IPC_LIB) \
  $(PROTOCOL_LIB) $(COMMAND_LINE_LIB) $(TRANSPORT_LIB) $(WEB_LIB)
LIBS_store := $(SUPPORT_LIB) $(SERVER_LIB) $(STORE_LIB) $(IPC_LIB) \
  $(PROTOCOL_LIB) $(COMMAND_LINE_LIB) $(TRANSPORT_LIB) $(WEB_LIB)
LIBS_client := $(SUPPORT_LIB) $(CLIENT_LIB) $(PROTOCOL_LIB) \
  $(COMMAND_LINE_LIB) $(TRANSPORT_LIB)
LIBS_transport := $(SUPPORT_LIB) $(TRANSPORT_LIB)
LIBS_web := $(SUPPORT_LIB) $(TRANSPORT_LIB)
LIBS_bench := $(SUPPORT_LIB) $(BENCH_LIB) $(PROTOCOL_LIB) \
  $(COMMAND_LINE_LIB) $(TRANSPORT_LIB)
LIBS_docs := $(SUPPORT_LIB)
LIBS_admin := $(SUPPORT_LIB) $(ADMIN_LIB) $(STORE_LIB) $(PROTOCOL_LIB)
PROGRAMS_server := $(BIN)/server
PROGRAMS_store := $(PROGRAMS)
PROGRAMS_client := $(BIN)/server $(BIN)/client
PROGRAMS_transport := $(BIN)/server
PROGRAMS_web := $(BIN)/server
PROGRAMS_bench := $(PROGRAMS)
PROGRAMS_admin := $(BIN)/server $(BIN)/chat-admin

# One explicit rule per module (not a pattern rule), so that make treats the
# test objects as real targets: kept between runs, built when new.
define test_binary_rule
$(BUILD)/tests/$(1)_tests: $(call objects,$(wildcard tests/$(1)/*.cc)) \
    $(BUILD)/tests/main.o $(LIBS_$(1))
	$$(CXX) $$(LDFLAGS) -o $$@ $$^ $$(GTEST_LIBS) $$(UV_LIBS) $$(EDIT_LIBS) \
	  $$(STORE_LIBS) $$(TRANSPORT_LIBS) $$(SECCOMP_LIBS) -lutil
endef
$(foreach m,$(TEST_MODULES),$(eval $(call test_binary_rule,$(m))))

# The tests start the real programs found in CHAT_BIN_DIR, so the sanitized
# suite drives sanitized servers and clients.
test: $(PROGRAMS) $(TEST_BINS)
	@CHAT_BIN_DIR=$(BIN) ./mk/run-tests.sh $(TEST_BINS)

$(addprefix test-,$(TEST_MODULES)): test-%: $$(PROGRAMS_$$*) $(BUILD)/tests/%_tests
	CHAT_BIN_DIR=$(BIN) $(BUILD)/tests/$*_tests $(TEST_ARGS)

asan:
	$(MAKE) SANITIZE=address,undefined test

# Writes $(BENCH_OUT); BENCH_OUT=BENCHMARKS.md replaces the tracked one.
BENCH_OUT ?= build/BENCHMARKS.md
bench: all
	CHAT_BIN_DIR=$(BIN) BENCH_OUT=$(BENCH_OUT) ./tests/bench/run-bench.sh

demo: all
	CHAT_BIN_DIR=$(BIN) ./tests/demo/isolation-demo.sh

# Programs are stripped; the man pages and the systemd unit go alongside.
# Every path written (and every directory created) is recorded in
# $(INSTALL_MANIFEST), so `make uninstall` removes exactly that, whatever
# PREFIX and DESTDIR were.
INSTALLED_PROGRAMS := server:chat-server client:chat-client \
  chat-admin:chat-admin \
  $(if $(wildcard src/bench/main.cc),chat-bench:chat-bench)
install: all
	BINDIR=$(BINDIR) ./mk/install.sh $(INSTALL_MANIFEST) \
	  $(foreach p,$(INSTALLED_PROGRAMS),755s $(firstword $(subst :, ,$(p))) \
	    $(DESTDIR)$(BINDIR)/$(lastword $(subst :, ,$(p)))) \
	  $(foreach m,$(wildcard man/*.1),644 $(m) $(DESTDIR)$(MANDIR)/man1/$(notdir $(m))) \
	  $(foreach m,$(wildcard man/*.7),644 $(m) $(DESTDIR)$(MANDIR)/man7/$(notdir $(m))) \
	  644 systemd/chat-server.service.in $(DESTDIR)$(SYSTEMD_UNIT_DIR)/chat-server.service

uninstall:
	./mk/uninstall.sh $(INSTALL_MANIFEST) \
	  $(foreach p,$(INSTALLED_PROGRAMS),$(DESTDIR)$(BINDIR)/$(lastword $(subst :, ,$(p)))) \
	  $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard man/*.1))) \
	  $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(wildcard man/*.7))) \
	  $(DESTDIR)$(SYSTEMD_UNIT_DIR)/chat-server.service

clean:
	rm -rf build server client chat-bench
	rm -f chat-admin

format:
	clang-format -i $(wildcard src/*/*.cc src/*/*.h tests/*.cc tests/*/*.cc tests/*/*.h \
	  fuzz/*.cc)

include mk/fuzz.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
