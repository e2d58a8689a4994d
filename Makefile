# cpython-tco: CPython 3.13 with proper tail calls.
# The README explains the targets; the logic lives in tools/.

# The newest 3.13 release reachable here (docs/rebasing.md moves it); the
# series' base, the release patches/series applies to as it is.
DEFAULT_VERSION := 3.13.15
CPYTHON_VERSION ?= $(DEFAULT_VERSION)
HOST_PYTHON     ?= /usr/bin/python3
JOBS            ?= $(shell nproc)
# The same flags build stock and cpython-tco, so that they compare fairly.
CONFIGURE_FLAGS ?=

ifeq ($(CPYTHON_VERSION),$(DEFAULT_VERSION))
BUILD := build
else
BUILD := build-$(CPYTHON_VERSION)
endif
TARBALL := downloads/Python-$(CPYTHON_VERSION).tar.xz

# ccache keyed on paths relative to this checkout, so that a fresh clone at
# another path (as CI makes) still hits the cache.  It runs as the gcc of
# /usr/lib/ccache, first in PATH (there as soon as `make deps` installs
# ccache on a fresh machine), so that configure records plain gcc: an
# installed interpreter tells setuptools to compile with CC, and a machine
# without ccache must be able to.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
export PATH := /usr/lib/ccache:$(PATH)
CC_FOR_BUILD := gcc

TCO   := $(BUILD)/tco/python
STOCK := $(BUILD)/stock/python

# make install: where; the default needs no root.  FT=1: the free-threaded
# build (bin/python3.13t), in its own build tree and by default its own
# prefix and archive.
FT ?=
# The release builds (make install, make dist, make deb) are optimized as
# distributions build theirs: PGO and LTO (--enable-optimizations
# --with-lto), trained on upstream's --pgo task and the tail-call workloads
# of bench/ (tools/pgo-task).  PGO=0 builds them as `make` builds its tree,
# as Debian's nopgo does: make test's install and packaging checks do, to
# fit its time (make check-all checks the optimized ones).  `make` (the
# developer build) is never optimized so.
PGO ?= 1
export PGO
FLAGS_OPTIMIZED := --enable-optimizations --with-lto \
    PROFILE_TASK='$(CURDIR)/tools/pgo-task $(CURDIR)/bench'
RELEASE_FLAGS = $(if $(filter 1,$(PGO)),$(FLAGS_OPTIMIZED))
# check-install checks the build flags of what it checks.
export TCO_EXPECT_OPTIMIZED = $(if $(filter 1,$(PGO)),1,0)
PREFIX ?= $(HOME)/.local/cpython-tco$(if $(FT),-ft)
DIST := dist/cpython-tco-$(CPYTHON_VERSION)-$(shell uname -m)-linux$(if $(FT),-freethreaded).tar.gz
INSTALL_TREE := tco-install$(if $(FT),-ft)

.PHONY: all tco stock debug deps fetch debs demo test test-ours test-upstream \
        worktree export-patches check-patches check-regen refleaks bench progressions \
        install dist test-install test-dist asan jit refleaks-upstream test-asan \
        test-jit regrtest pystats fuzz-quick fuzz-long fuzz-meddle-debug check-prefixes \
        check-all \
        ft stock-ft test-ft regrtest-ft test-tsan pyenv-definition test-pyenv \
        deb test-deb test-release bench-distro suites-distro \
        clean FORCE

all: tco

deps:
	@tools/install-deps

$(TARBALL):
	@$(HOST_PYTHON) tools/fetch-cpython $(CPYTHON_VERSION) downloads >/dev/null

fetch: $(TARBALL)

# The patched tree is a git work tree, one commit per patch.
worktree: $(TARBALL)
	@$(HOST_PYTHON) tools/series sync $(TARBALL) $(BUILD)/src-tco

export-patches:
	@$(HOST_PYTHON) tools/series export $(BUILD)/src-tco

check-patches: $(TARBALL)
	@$(HOST_PYTHON) tools/series check $(TARBALL) $(BUILD)/src-tco

$(BUILD)/src-stock/configure: $(TARBALL)
	rm -rf $(BUILD)/src-stock && mkdir -p $(BUILD)/src-stock
	tar -xJf $(TARBALL) -C $(BUILD)/src-stock --strip-components=1
	touch $@

# configure VARIANT SRCDIR EXTRA-FLAGS: out-of-tree build in $(BUILD)/VARIANT.
# ac_cv_prog_HAS_GIT: the work tree's git history is ours, not CPython's;
# keep it out of sys.version, as for a build from the tarball.
define configure
	mkdir -p $(BUILD)/$(1)
	cd $(BUILD)/$(1) && $(CURDIR)/$(BUILD)/$(2)/configure -q \
	    CC="$(CC_FOR_BUILD)" PYTHON_FOR_REGEN=$(HOST_PYTHON) \
	    ac_cv_prog_HAS_GIT=not-found $(CONFIGURE_FLAGS) $(3)
endef

$(BUILD)/stock/Makefile: | $(BUILD)/src-stock/configure
	$(call configure,stock,src-stock,)

$(BUILD)/tco/Makefile: | worktree
	$(call configure,tco,src-tco,)

# For the sanitizer build (and harmless for the others): CPython leaks at
# exit by design, and the build runs the interpreter it builds.
export ASAN_OPTIONS ?= detect_leaks=0:allocator_may_return_null=1:handle_segv=0
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1:suppressions=$(CURDIR)/tools/ubsan-suppressions

# Variants of cpython-tco, each in $(BUILD)/tco-VARIANT, and of stock in
# $(BUILD)/stock-VARIANT (for comparisons), configured with these flags.
FLAGS_debug   := --with-pydebug
FLAGS_asan    := --with-address-sanitizer --with-undefined-behavior-sanitizer
FLAGS_jit     := --enable-experimental-jit=interpreter
FLAGS_pystats := --enable-pystats
# The free-threaded build (PEP 703): python3.13t.
FLAGS_ft      := --disable-gil
# The release builds of the archive (make dist, make dist FT=1).
FLAGS_release    := $(FLAGS_OPTIMIZED)
FLAGS_release-ft := --disable-gil $(FLAGS_OPTIMIZED)
FLAGS_tsan    := --disable-gil --with-thread-sanitizer

$(BUILD)/tco-%/Makefile: | worktree
	$(call configure,tco-$*,src-tco,$(FLAGS_$*))

$(BUILD)/stock-%/Makefile: | $(BUILD)/src-stock/configure
	$(call configure,stock-$*,src-stock,$(FLAGS_$*))

# Keep the configured trees (make would delete them as intermediate files).
.PRECIOUS: $(BUILD)/tco-%/Makefile $(BUILD)/stock-%/Makefile

# make DIR TARGET: make TARGET in the configured tree $(BUILD)/DIR, quietly,
# its output kept in $(BUILD)/DIR/TARGET.log (make.log for the build).
# A PGO tree builds without ccache: its objects depend on the profile,
# and GCC refused the profile of objects that ccache had served
# (-Werror=coverage-mismatch), as Debian's builds have no ccache either.
define make-in
	@$(if $(call pgo-tree,$(1)),CCACHE_DISABLE=1) \
	    $(MAKE) -s -C $(BUILD)/$(1) $(or $(2),-j$(JOBS)) >$(BUILD)/$(1)/$(or $(2),make).log 2>&1 \
	    || { tail -40 $(BUILD)/$(1)/$(or $(2),make).log; exit 1; }
endef
pgo-tree = $(shell grep -qs -- --enable-optimizations $(BUILD)/$(1)/config.status && echo 1)

# build-tco-VARIANT, build-stock-VARIANT
build-%: deps $(BUILD)/%/Makefile
	$(call make-in,$*)
	@echo "built $(BUILD)/$*/python"

stock: deps $(BUILD)/stock/Makefile
	$(call make-in,stock)
	@echo "built $(STOCK)"

tco: deps worktree $(BUILD)/tco/Makefile
	$(call make-in,tco)
	@$(HOST_PYTHON) tools/check-build $(BUILD)/tco/make.log
	@echo "built $(TCO)"

debug: worktree build-tco-debug
asan: worktree build-tco-asan
jit: worktree build-tco-jit
ft: worktree build-tco-ft
stock-ft: build-stock-ft

# A file that holds VALUE, rewritten (and so newer than what depends on
# it) only when VALUE changes: $(call stamp,VALUE) in a FORCE rule.
define stamp
	@mkdir -p $(dir $@) && echo '$(1)' | cmp -s - $@ || echo '$(1)' >$@
endef

# Installation: a build configured for PREFIX, so that the interpreter and
# its sysconfig know where they live; reconfigured when PREFIX or PGO
# changes.
$(BUILD)/$(INSTALL_TREE).prefix: FORCE
	$(call stamp,$(PREFIX) PGO=$(PGO))

$(BUILD)/$(INSTALL_TREE)/Makefile: $(BUILD)/$(INSTALL_TREE).prefix | worktree
	rm -rf $(BUILD)/$(INSTALL_TREE)
	$(call configure,$(INSTALL_TREE),src-tco,--prefix=$(PREFIX) $(if $(FT),$(FLAGS_ft)) $(RELEASE_FLAGS))

install: deps worktree $(BUILD)/$(INSTALL_TREE)/Makefile
	$(call make-in,$(INSTALL_TREE))
	$(call make-in,$(INSTALL_TREE),install)
	@echo "installed $(PREFIX)/bin/python3$(if $(FT), (python3.13t))"

# A relocatable archive of the interpreter, unpacked anywhere it runs: the
# optimized build of its own tree (tco-release, tco-release-ft), or with
# PGO=0 the tree of `make` (or `make ft`).
# (The tree is named in the recipe, where PGO has its value for this run:
# make test sets it for its prerequisites.)
DIST_TREE = tco$(if $(filter 1,$(PGO)),-release)$(if $(FT),-ft)
dist: worktree
	@$(MAKE) -s build-$(DIST_TREE)
	@$(HOST_PYTHON) tools/make-dist $(BUILD)/$(DIST_TREE) $(DIST)

# End to end: install, venv, ensurepip, pip; the archive unpacked elsewhere.
# FT=1: the same for the free-threaded build.
test-install: stock
	@$(MAKE) -s install PREFIX=$(CURDIR)/$(BUILD)/test-prefix$(if $(FT),-ft) FT=$(FT)
	@$(HOST_PYTHON) tools/check-install $(BUILD)/test-prefix$(if $(FT),-ft)/bin/python3

test-dist: dist $(if $(FT),stock-ft,stock)
	@$(HOST_PYTHON) tools/check-install --unpack $(DIST) --run-tests

# pyenv: a python-build definition of cpython-tco (VERSION-tco and its
# patches) under $(BUILD)/pyenv/definitions, for PYTHON_BUILD_DEFINITIONS;
# test-pyenv installs it with Debian's pyenv, offline (tools/check-pyenv).
PYENV_DEFINITIONS := $(BUILD)/pyenv/definitions
pyenv-definition: $(TARBALL)
	@$(HOST_PYTHON) tools/pyenv-definition $(TARBALL) $(PYENV_DEFINITIONS) \
	    "$(CONFIGURE_FLAGS)"

$(BUILD)/pyenv/deb/VERSIONS:
	@$(HOST_PYTHON) tools/fetch-debs trixie $(BUILD)/pyenv/deb pyenv

test-pyenv: deps pyenv-definition $(BUILD)/pyenv/deb/VERSIONS tco stock
	@$(HOST_PYTHON) tools/check-pyenv $(BUILD)/pyenv/deb $(PYENV_DEFINITIONS) \
	    downloads $(BUILD)/pyenv/root $(TCO)

# The Debian package, built by Debian's tools from packaging/debian and the
# series (tools/make-deb), in a clean root of DEB_SUITE with its toolchain
# (DEB_SUITE=host: on this machine); test-deb: lintian, then install, use
# and purge in a throwaway Debian root (tools/check-deb).
DEB := dist/cpython-tco_$(CPYTHON_VERSION)-1_$(shell dpkg --print-architecture).deb
DEB_SUITE ?= trixie
DEB_TOOLS := dpkg-dev debhelper lintian debootstrap libexpat1-dev
# Built again when PGO or DEB_SUITE changes.
$(BUILD)/deb.pgo: FORCE
	$(call stamp,PGO=$(PGO) DEB_SUITE=$(DEB_SUITE))

$(DEB): $(TARBALL) patches/series $(wildcard patches/*.patch) \
        $(shell find packaging/debian -type f) tools/make-deb tools/pgo-task \
        tools/tco/make_deb.py tools/tco/debian_root.py tools/tco/patchset.py \
        $(BUILD)/deb.pgo
	@tools/install-deps $(DEB_TOOLS)
	@CONFIGURE_FLAGS="$(CONFIGURE_FLAGS)" DEB_SUITE=$(DEB_SUITE) \
	    $(HOST_PYTHON) tools/make-deb $(TARBALL) $(BUILD)/deb dist

deb: $(DEB)

# Debian's python3.13 against the package, interleaved, in a trixie root
# (tools/bench-distro; docs/BENCHMARKS.md).
bench-distro: $(DEB)
	@$(HOST_PYTHON) tools/bench-distro $(DEB) $(BUILD)/deb

# Debian's numpy, pandas, scipy and sympy suites under both, test by test
# (tools/suites-distro; docs/SUITES-debian.md): the optimized package, also
# under check-all, whose make test builds it unoptimized.
suites-distro:
	@$(MAKE) -s deb PGO=1
	@$(HOST_PYTHON) tools/suites-distro $(DEB) $(BUILD)/deb

test-deb: $(DEB) tco stock
	@$(HOST_PYTHON) tools/check-deb $(DEB) $(BUILD)/deb $(TCO)

# Regenerating every generated file must change nothing in the work tree.
check-regen: worktree $(BUILD)/tco/Makefile
	@$(HOST_PYTHON) tools/check-regen $(BUILD)/src-tco $(BUILD)/tco

demo: tco stock
	@$(TCO) examples/demo.py $(STOCK)

test: deps check-patches check-regen tco test-ours refleaks fuzz-quick test-install \
      test-dist test-pyenv test-deb test-ft test-upstream

# make test checks the install, the archive and the package unoptimized
# (see PGO): an optimized build takes longer than its budget allows.
test test-ft: PGO := 0

# The optimized release builds, checked as make test checks the others.
test-release:
	@$(MAKE) -s test-install test-dist test-deb PGO=1

# Some of our tests build against or compare with stock CPython (with FT=1,
# its free-threaded build).
export STOCK_PYTHON := $(CURDIR)/$(if $(FT),$(BUILD)/stock-ft/python,$(STOCK))

# The third-party tools that tests/test_under_tools.py runs: Debian trixie's
# packages, fetched and verified (tools/fetch-debs), unpacked in the build
# tree; nothing is installed into the system.
TOOL_DEBS := python3-coverage python3-pytest python3-pluggy python3-iniconfig \
    python3-packaging
export TOOLS_SITE := $(CURDIR)/$(BUILD)/debs/usr/lib/python3/dist-packages

# Fetched again when the list changes.
$(BUILD)/debs.list: FORCE
	$(call stamp,$(TOOL_DEBS))

$(BUILD)/debs/VERSIONS: $(BUILD)/debs.list
	@$(HOST_PYTHON) tools/fetch-debs trixie $(BUILD)/debs $(TOOL_DEBS)

debs: $(BUILD)/debs/VERSIONS

test-ours: tco stock debs
	@$(TCO) tools/run-tests

# Benchmarks, stock against cpython-tco: docs/BENCHMARKS.md, docs/memory.svg
bench: tco stock
	@$(HOST_PYTHON) tools/bench $(STOCK) $(TCO)

# Reference leaks of our tests, on the --with-pydebug build.
refleaks: debug debs
	@$(BUILD)/tco-debug/python tools/run-tests -R 3:3

# The longer checks of `make check-all` (issue-sized, not for every CI run).
# The upstream modules of each check are listed in tools/tco/test_lists.py.
CORE_REFLEAK := --list refleak

# Random tail-call programs, stock against cpython-tco (docs/fuzzing.md): a
# quick batch with a fixed seed for CI, and a long run.
FUZZ_SEED ?= 1
FUZZ_COUNT_fuzz-quick := 400
FUZZ_COUNT_fuzz-long := 100000
# Then a batch of the meddle unit only: Python code that runs inside tail
# calls (tool callbacks, finalizers, wrappers) and meddles with them.
FUZZ_MEDDLE_fuzz-quick := 200
FUZZ_MEDDLE_fuzz-long := 10000
fuzz-quick fuzz-long: tco stock
	@$(HOST_PYTHON) tools/fuzz --stock $(STOCK) --tco $(TCO) --seed $(FUZZ_SEED) \
	    --count $(FUZZ_COUNT_$@) --quiet --save-dir $(BUILD)/fuzz-divergences
	@$(HOST_PYTHON) tools/fuzz --stock $(STOCK) --tco $(TCO) --seed $(FUZZ_SEED) \
	    --units meddle --count $(FUZZ_MEDDLE_$@) --quiet \
	    --save-dir $(BUILD)/fuzz-divergences

# The meddle unit on the --with-pydebug build, whose assertions turn a
# stale decision into a crash.
fuzz-meddle-debug: debug stock
	@$(HOST_PYTHON) tools/fuzz --stock $(STOCK) --tco $(BUILD)/tco-debug/python \
	    --seed $(FUZZ_SEED) --units meddle --count 1000 --timeout 120 --quiet \
	    --save-dir $(BUILD)/fuzz-divergences

# Refleaks of CPython's tests closest to what the patches change.
refleaks-upstream: debug
	@$(HOST_PYTHON) tools/regrtest $(BUILD)/tco-debug/python -R 3:3 $(CORE_REFLEAK)

# AddressSanitizer and UndefinedBehaviorSanitizer: our tests, the core list.
test-asan: asan stock debs
	@$(BUILD)/tco-asan/python tools/run-tests
	@$(HOST_PYTHON) tools/regrtest $(BUILD)/tco-asan/python $(CORE_REFLEAK)

# The tier-2 micro-op interpreter (traces stop at tail calls).
test-jit: jit stock debs
	@$(BUILD)/tco-jit/python tools/run-tests

# The free-threaded build (make ft, make stock-ft): our tests, compared with
# stock's free-threaded build (an extension for it is built against its
# headers), and the core upstream modules.
FT_STOCK := $(CURDIR)/$(BUILD)/stock-ft/python
FT_DIST := dist/cpython-tco-$(CPYTHON_VERSION)-$(shell uname -m)-linux-freethreaded.tar.gz
test-ft: ft stock-ft debs
	@STOCK_PYTHON=$(FT_STOCK) $(BUILD)/tco-ft/python tools/run-tests
	@$(MAKE) -s test-install dist FT=1
	@STOCK_PYTHON=$(FT_STOCK) $(HOST_PYTHON) tools/check-install --unpack $(FT_DIST)
	@$(HOST_PYTHON) tools/regrtest $(BUILD)/tco-ft/python $(CORE_REFLEAK)

# ThreadSanitizer on the free-threaded build: the tests of threads and of
# the frames tail calls replace, with upstream's own suppressions for 3.13's
# free-threaded build (Tools/tsan), which stock's TSan build needs too.
# The concurrency tests whose meddler reads running threads' frames are
# left out: stock's TSan build reports that too (docs/free-threading.md).
TSAN_TESTS := ChainsUnderToolsTests test_in_place test_depth test_elided \
    test_interrupts test_frames test_semantics
test-tsan: worktree build-tco-tsan stock-ft debs
	@TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/$(BUILD)/src-tco/Tools/tsan/suppressions_free_threading.txt" \
	    STOCK_PYTHON=$(FT_STOCK) $(BUILD)/tco-tsan/python tools/run-tests $(TSAN_TESTS)

# CPython's whole suite on both free-threaded builds, compared test by test.
regrtest-ft: ft stock-ft
	@$(HOST_PYTHON) tools/regrtest $(BUILD)/tco-ft/python --all --compare \
	    $(FT_STOCK)

# Specialization rates at tail sites against stock's call sites (pystats).
pystats: worktree build-stock-pystats build-tco-pystats
	@$(HOST_PYTHON) tools/pystats-compare $(BUILD)/stock-pystats/python \
	    $(BUILD)/tco-pystats/python

# CPython's whole suite on stock and on cpython-tco, compared test by test.
regrtest: tco stock
	@$(HOST_PYTHON) tools/regrtest $(TCO) --all --compare $(STOCK)

# Every prefix of the series builds and passes the core upstream tests.
check-prefixes: worktree
	@$(HOST_PYTHON) tools/check-prefixes $(BUILD)/src-tco $(BUILD)/prefix

check-all: test test-release refleaks-upstream test-asan test-jit regrtest \
    regrtest-ft test-tsan check-prefixes fuzz-long fuzz-meddle-debug \
    suites-distro

# Which known failures of CPython's suite now pass (tests/upstream-known-failures).
progressions: tco
	@$(HOST_PYTHON) tools/regrtest $(TCO) --progressions

test-upstream: tco
	@$(HOST_PYTHON) tools/regrtest $(TCO) --all

clean:
	rm -rf $(BUILD)
