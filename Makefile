# railmail — build, test, run, install, benchmark.
# `make run` and `make test` are the two commands a newcomer types: both first
# run tools/deps.sh, which installs missing packages on Debian/Ubuntu: `make
# run` (and `make install`) only what building and running need, `make test`
# (and `make deps`) also what only the tests use, `make mpi` Open MPI.

BUILD    ?= build
CC       ?= cc
SAN      ?= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

GSL_LIBS  = $(shell pkg-config --libs gsl 2>/dev/null || echo -lgsl -lgslcblas -lm)
CPPFLAGS += -Iinclude -D_POSIX_C_SOURCE=200809L -MMD -MP
OPT      ?= -O2 -g
WARN      = -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   += -std=c11 -pthread $(OPT) $(WARN)
LDFLAGS  += -pthread
LDLIBS   += -lcsv -lnettle -ljansson $(GSL_LIBS) -lm

SRC   := $(filter-out sim/mpi.c,$(wildcard sim/*.c))  # mpi.c: railmail-mpi only
OBJ   := $(SRC:sim/%.c=$(BUILD)/opt/%.o)
SOBJ  := $(SRC:sim/%.c=$(BUILD)/san/%.o)
TSRC  := $(wildcard tests/test_*.c)
TOBJ  := $(TSRC:tests/%.c=$(BUILD)/san/tests/%.o)
BSRC  := $(wildcard tests/bench/*.c)

SCENARIO ?= scenarios/china-europe-via-belarus

# make install (GNU conventions): PREFIX is where railmail will live and is
# compiled into datadir.o (the installed scenarios); DESTDIR stages the
# files elsewhere (a package build) and is not compiled in.
PREFIX   ?= /usr/local
DATADIR   = $(PREFIX)/share/railmail

FUZZ_SECONDS ?= 60

all: railmail

railmail: $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The run record names the commit and flags the binary was built with;
# record.o is rebuilt every time, so they are never stale.
COMMIT := $(shell git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
$(BUILD)/opt/record.o $(BUILD)/san/record.o: FORCE
$(BUILD)/opt/record.o: CPPFLAGS += -DRAILMAIL_COMMIT='"$(COMMIT)"' -DRAILMAIL_CFLAGS='"$(strip $(CFLAGS))"'
$(BUILD)/san/record.o: CPPFLAGS += -DRAILMAIL_COMMIT='"$(COMMIT)"' -DRAILMAIL_CFLAGS='"$(strip $(CFLAGS) $(SAN))"'
FORCE:

# datadir.o has the data directory compiled in, so it is rebuilt when PREFIX
# changes: it depends on a stamp holding the path, rewritten only when the
# path differs (make looks at its time after the recipe).
DATADIR_STAMP := $(BUILD)/datadir
$(DATADIR_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@
$(BUILD)/opt/datadir.o $(BUILD)/san/datadir.o: $(DATADIR_STAMP)
$(BUILD)/opt/datadir.o $(BUILD)/san/datadir.o: CPPFLAGS += -DRAILMAIL_DATADIR='"$(DATADIR)"'

# Profile-guided optimisation (with GCC; PGO=0 turns it off, and other
# compilers build without it). The modules are first built instrumented
# into $(BUILD)/pgo, that railmail runs a short training workload (the large
# benchmark for 40 days and a comparison of the default scenario), and the
# optimised objects are then compiled with the profile it wrote, so that the
# hot loop's branches and inlining follow how it runs. PGO changes no
# result (floating-point semantics are the same): the MPI tests compare
# railmail-mpi, built from these objects, byte for byte with the test
# build, which has no PGO. record.c is left out: it embeds the commit; so is
# datadir.c, which embeds PREFIX (a new PREFIX then trains nothing again).
PGO ?= $(shell $(CC) -v 2>&1 | grep -q '^gcc version' && echo 1 || echo 0)
PGOBJ := $(SRC:sim/%.c=$(BUILD)/pgo/%.o)
PGO_TRAINED := $(BUILD)/pgo/trained
PGO_USERS := $(filter-out $(BUILD)/opt/record.o $(BUILD)/opt/datadir.o,$(OBJ))
ifeq ($(PGO),1)
$(PGO_USERS): $(BUILD)/opt/%.o: $(PGO_TRAINED)
# -dumpbase names the profile: the instrumented object's, build/pgo/NAME.gcda
$(PGO_USERS): PGO_USE = -fprofile-use -dumpbase $(BUILD)/pgo/$* -fprofile-partial-training
endif

$(BUILD)/pgo/%.o: sim/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fprofile-generate -fprofile-update=atomic -c -o $@ $<

$(PGO_TRAINED): $(PGOBJ)
	$(CC) $(LDFLAGS) -fprofile-generate -o $(BUILD)/pgo/railmail $^ $(LDLIBS)
	rm -f $(BUILD)/pgo/*.gcda
	@t=$$(mktemp -d) && trap 'rm -rf "$$t"' EXIT && \
	    echo "training for PGO: tests/bench/large for 40 days, compare $(SCENARIO)" && \
	    $(BUILD)/pgo/railmail run tests/bench/large -d 40 -r 1 -j 1 -q --no-plot -o "$$t/large" && \
	    $(BUILD)/pgo/railmail compare $(SCENARIO) -r 4 -j 2 -q --no-plot -o "$$t/compare" >/dev/null
	touch $@

$(BUILD)/opt/%.o: sim/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PGO_USE) -c -o $@ $<

# The test build: every module and test under AddressSanitizer and UBSan.
$(BUILD)/san/%.o: sim/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN) -c -o $@ $<

$(BUILD)/san/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN) -c -o $@ $<

$(BUILD)/san/railmail: $(SOBJ)
	$(CC) $(LDFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

$(BUILD)/san/run_tests: $(filter-out $(BUILD)/san/main.o,$(SOBJ)) $(TOBJ)
	$(CC) $(LDFLAGS) $(SAN) -o $@ $^ -lcriterion $(LDLIBS)

# railmail-mpi: railmail with mpi.c's main and MPI executor (make mpi).
# Built without sanitizers, also for the tests: Open MPI's own allocations
# would fill LeakSanitizer's report.
MPICC ?= mpicc
$(BUILD)/mpi/mpi.o: sim/mpi.c
	@mkdir -p $(@D)
	$(MPICC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

railmail-mpi: $(filter-out $(BUILD)/opt/main.o,$(OBJ)) $(BUILD)/mpi/mpi.o
	$(MPICC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

mpi:
	@sh tools/deps.sh mpi
	@$(MAKE) --no-print-directory railmail-mpi

deps:
	@sh tools/deps.sh test

# Runs after deps in a fresh make, so that pkg-config sees what deps installed.
check: $(BUILD)/san/run_tests $(BUILD)/san/railmail $(if $(shell command -v $(MPICC)),railmail-mpi)
	RAILMAIL=$(BUILD)/san/railmail RAILMAIL_MPI=$(CURDIR)/railmail-mpi ASAN_OPTIONS=detect_leaks=1 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp ./$(BUILD)/san/run_tests -j2

test: deps
	@$(MAKE) --no-print-directory check

run:
	@sh tools/deps.sh run
	@$(MAKE) --no-print-directory railmail
	./railmail run $(SCENARIO)

# The manual page, from railmail's own --help and COMMAND --help and the
# rest of the page in docs/railmail.1.in; it names the data directory.
$(BUILD)/railmail.1: railmail tools/man.sh docs/railmail.1.in $(DATADIR_STAMP)
	sh tools/man.sh ./railmail docs/railmail.1.in '$(DATADIR)' >$@.tmp && mv $@.tmp $@

man: $(BUILD)/railmail.1

# make install PREFIX=... DESTDIR=...: railmail (and railmail-mpi when it is
# built), the scenarios, the manual page and the bash completion, listed in
# PREFIX/share/railmail/install-manifest; make uninstall removes what that lists.
install:
	@sh tools/deps.sh run
	@$(MAKE) --no-print-directory install-files

install-files: railmail $(if $(wildcard railmail-mpi),railmail-mpi) $(BUILD)/railmail.1
	@MAN=$(BUILD)/railmail.1 sh tools/install.sh install '$(DESTDIR)$(PREFIX)'

uninstall:
	@sh tools/install.sh uninstall '$(DESTDIR)$(PREFIX)'

$(BUILD)/bench/%: tests/bench/%.c $(filter-out $(BUILD)/opt/main.o,$(OBJ))
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -O3 -o $@ $^ $(LDLIBS)

bench:
	@sh tools/deps.sh bench
	@$(MAKE) --no-print-directory railmail $(BSRC:tests/bench/%.c=$(BUILD)/bench/%)
	@sh tests/bench/run.sh $(BUILD)/bench
	@sh tests/bench/vs-old.sh

fuzz:
	@sh tools/deps.sh run
	@sh tests/fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) railmail railmail-mpi

.PHONY: all deps mpi check test run bench fuzz clean man install install-files uninstall FORCE
-include $(BUILD)/mpi/mpi.d $(OBJ:.o=.d) $(SOBJ:.o=.d) $(TOBJ:.o=.d)
