# `make fuzz`: libFuzzer targets (fuzz/<target>.cc) for every parser of
# untrusted bytes, built with clang into build/fuzz/ and each run for
# FUZZ_SECONDS (default 60); a crash, leak or sanitizer report fails the run.
# `make fuzz-<target>` runs one. `make -j2 fuzz` runs two at a time (CI).
# Seeds are fuzz/corpus/<target>/ (tracked); what the fuzzer finds on top of
# them goes to build/fuzz/corpus/<target>/ and a crashing input to
# build/fuzz/crashes/<target>/ (never tracked). libFuzzer ships with clang,
# and GCC has no coverage-guided fuzzer, hence clang for these alone.

FUZZ_CXX ?= clang++
FUZZ_SECONDS ?= 60
FUZZ_BUILD := build/fuzz
FUZZ_SANITIZERS := address,undefined
FUZZ_CXXFLAGS := -std=c++20 -O1 -g -Wall -Wextra -fno-omit-frame-pointer \
  -fno-sanitize-recover=all $(if $(filter 1,$(WERROR)),-Werror)
FUZZ_CPPFLAGS := -Isrc -I. -MMD -MP
FUZZ_TARGETS := $(sort $(basename $(notdir $(wildcard fuzz/*.cc))))
FUZZ_BINS := $(addprefix $(FUZZ_BUILD)/,$(FUZZ_TARGETS))

# What each target links besides its own file: the code under test, built
# with coverage for the fuzzer.
PROTOCOL_SOURCES := $(wildcard src/protocol/*.cc)
FUZZ_SOURCES_line_assembler := $(PROTOCOL_SOURCES)
FUZZ_SOURCES_request := $(PROTOCOL_SOURCES)
FUZZ_SOURCES_server_line := $(PROTOCOL_SOURCES)
FUZZ_SOURCES_file_request := $(PROTOCOL_SOURCES)
# The protocol's Base64 (file chunks) is libsodium's.
$(foreach t,line_assembler request server_line file_request,\
  $(eval FUZZ_LIBS_$(t) := -lsodium))
FUZZ_SOURCES_channel := src/ipc/channel.cc src/ipc/unique_fd.cc \
  src/store/wire.cc
FUZZ_SOURCES_store_wire := src/store/wire.cc
FUZZ_SOURCES_http_request := src/transport/http_request.cc
FUZZ_LIBS_http_request := -lhttp_parser
FUZZ_SOURCES_websocket_stream := src/transport/websocket_stream.cc \
  src/transport/http_request.cc
FUZZ_LIBS_websocket_stream := -lwslay -lhttp_parser $(GNUTLS_LIBS)

# The fuzz objects are rebuilt when their flags change (as the programs'
# are, see FLAGS_STAMP in the Makefile).
FUZZ_FLAGS_STAMP := $(FUZZ_BUILD)/.flags
FUZZ_FLAGS_TEXT := $(FUZZ_CXX) $(FUZZ_CPPFLAGS) $(FUZZ_CXXFLAGS) $(FUZZ_SANITIZERS)
ifneq ($(filter fuzz fuzz-%,$(GOALS)),)
$(shell mkdir -p $(FUZZ_BUILD) && (echo '$(FUZZ_FLAGS_TEXT)' | \
  cmp -s - $(FUZZ_FLAGS_STAMP) || echo '$(FUZZ_FLAGS_TEXT)' > $(FUZZ_FLAGS_STAMP)))
endif

fuzz_object = $(patsubst %.cc,$(FUZZ_BUILD)/obj/%.o,$(1))

.PHONY: fuzz fuzz-build $(addprefix fuzz-,$(FUZZ_TARGETS))
fuzz: $(addprefix fuzz-,$(FUZZ_TARGETS))
	@echo "fuzz: $(words $(FUZZ_TARGETS)) targets ran $(FUZZ_SECONDS) s each without a crash"
fuzz-build: $(FUZZ_BINS)

$(addprefix fuzz-,$(FUZZ_TARGETS)): fuzz-%: $(FUZZ_BUILD)/%
	@./mk/run-fuzz.sh $< fuzz/corpus/$* $(FUZZ_SECONDS)

$(FUZZ_BUILD)/obj/fuzz/%.o: fuzz/%.cc $(FUZZ_FLAGS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_CPPFLAGS) $(FUZZ_CXXFLAGS) \
	  -fsanitize=fuzzer,$(FUZZ_SANITIZERS) -c -o $@ $<

$(FUZZ_BUILD)/obj/src/%.o: src/%.cc $(FUZZ_FLAGS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_CPPFLAGS) $(FUZZ_CXXFLAGS) \
	  -fsanitize=fuzzer-no-link,$(FUZZ_SANITIZERS) -c -o $@ $<

define fuzz_binary_rule
$(FUZZ_BUILD)/$(1): $(call fuzz_object,fuzz/$(1).cc $(FUZZ_SOURCES_$(1)))
	$$(FUZZ_CXX) -fsanitize=fuzzer,$(FUZZ_SANITIZERS) -o $$@ $$^ \
	  $(FUZZ_LIBS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_binary_rule,$(t))))

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)

