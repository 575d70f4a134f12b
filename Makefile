# dossier -- build, test and run.  `make run` and `make test` are the two commands of
# the README; both check (and as root install) the Debian packages they need.

CC      ?= gcc
LUA     ?= lua5.4
LUA_INC ?= /usr/include/lua5.4
SHARED  ?= ../shared
CFLAGS  ?= -O3 -g
WARN    ?= -Wall -Wextra -Wpedantic -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Werror
# -fvisibility=hidden: core.so exports luaopen_dossier_core alone (csrc/lds_core.c)
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -fPIC -fvisibility=hidden $(WARN) $(CFLAGS) $(SONAMES) -Icsrc
# Poppler's GLib API for PDF (its headers, and GLib's, as system headers: no warnings)
PDF_CFLAGS := $(shell pkg-config --cflags poppler-glib 2>/dev/null | sed 's/-I/-isystem /g')
# (not linked: ds_pdf.c loads libpoppler-glib with dlopen when the first PDF is read)
# libgumbo, libcmark, libyaml and Nettle are not linked either: loaded when first needed
# (csrc/ds_dynlib.h), by the soname of the library whose headers are here
LIBS    = -pthread -lsqlite3 -lpcre2-8 -lutf8proc -ldl -lm
soname  = $(shell objdump -p "$$($(CC) -print-file-name=lib$(1).so)" 2>/dev/null | sed -n 's/^ *SONAME *//p')
SONAMES := -DDS_SONAME_GUMBO='"$(call soname,gumbo)"' -DDS_SONAME_CMARK='"$(call soname,cmark)"' \
           -DDS_SONAME_YAML='"$(call soname,yaml)"' -DDS_SONAME_NETTLE='"$(call soname,nettle)"'
# sanitizer builds: make asan (see the asan target)
SAN     ?=

# Debian packages: to build, to run, to test
DEB_BUILD = gcc libc6-dev make lua5.4 liblua5.4-dev libsqlite3-dev libpcre2-dev libutf8proc-dev nettle-dev libgumbo-dev libcmark-dev libyaml-dev libpoppler-glib-dev pkg-config
DEB_RUN   = lua-argparse lua-cjson lua-readline lua-filesystem lua-term
DEB_TEST  = lua-busted luarocks sqlite3 python3-networkx
DEB_VALGRIND = valgrind

B       = build
CORE_O  = $(addprefix $(B)/, ds.o ds_dynlib.o ds_buf.o ds_utf8.o ds_uniprop.o ds_uax29.o ds_doc.o ds_strmap.o ds_lines.o ds_langdata.o ds_sitelines.o ds_clean.o ds_offmap.o ds_markup.o ds_markup_html.o ds_markup_md.o ds_date.o \
            ds_conllu_read.o ds_model.o ds_tagger.o ds_lemma.o ds_annotate.o ds_ner.o ds_extract.o \
            ds_rec_date.o ds_rec_money.o ds_rec_cite.o ds_rec_quote.o \
            ds_reader.o ds_pdf.o ds_abbrev.o ds_tokenize.o ds_boundary.o ds_boundary_model.o ds_sentence.o ds_parse.o ds_conllu.o \
            ds_hash.o ds_intern.o ds_lexicon.o ds_postings.o ds_ttype.o ds_store.o ds_store_write.o ds_store_read.o ds_store_postlists.o ds_store_search.o \
            ds_store_merge.o ds_store_check.o ds_fts5.o ds_kwic.o ds_parts.o ds_ingest.o ds_cql.o cql_explain.o cql_idset.o cql_vm.o ds_eval.o cql_run.o cql_run_drive.o cql_run_meet.o ds_matchset.o ds_matchsort.o ds_query.o ds_count.o ds_count_seqs.o ds_count_ngram.o ds_count_matches.o ds_count_merge.o ds_similar.o ds_cooccur.o ds_network.o ds_gazetteer.o)
BIND_O  = $(addprefix $(B)/, lds_core.o lds_models.o lds_sitelines.o lds_parse.o lds_uax29.o lds_corpus.o \
            lds_search.o lds_query.o lds_testing.o lds_count.o lds_merge.o lds_recipes.o)
MODULE  = lua/dossier/core.so
CTESTS  = $(B)/test_core $(B)/test_uax29 $(B)/test_tagger $(B)/test_store $(B)/test_query $(B)/test_threads $(B)/test_count $(B)/test_recognize $(B)/test_gazetteer $(B)/test_ner
# every fuzz target, replayed by csrc/test/fuzz_replay.c on its regression inputs and seeds
FUZZ_NAMES = $(patsubst csrc/fuzz/fuzz_%.c,%,$(wildcard csrc/fuzz/fuzz_*.c))
REPLAYS = $(addprefix $(B)/replay_,$(FUZZ_NAMES))
SAMPLE_DB = $(B)/sample.db
REPORT = $(B)/report.html

.PHONY: all deps test ctest replay spec run clean install asan tsan valgrind uniprop abbrev bench models fuzz check-report

all: $(MODULE)

deps:
	@tools/deps.sh $(DEB_BUILD) $(DEB_RUN)

$(B)/%.o: csrc/%.c csrc/*.h | $(B)
	$(CC) $(ALL_CFLAGS) $(SAN) -c $< -o $@

$(B)/ds_pdf.o: csrc/ds_pdf.c csrc/*.h | $(B)
	$(CC) $(ALL_CFLAGS) $(PDF_CFLAGS) $(SAN) -c $< -o $@

$(B)/lds_%.o: csrc/lds_%.c csrc/*.h | $(B)
	$(CC) $(ALL_CFLAGS) $(SAN) -I$(LUA_INC) -c $< -o $@

$(MODULE): $(CORE_O) $(BIND_O)
	$(CC) -shared $(SAN) -o $@ $^ $(LIBS)

$(B)/test_%: csrc/test/test_%.c $(CORE_O) csrc/test/*.h tools/ner_iob.h | $(B)
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $< $(CORE_O) $(LIBS)

$(B)/replay_%: csrc/fuzz/fuzz_%.c csrc/test/fuzz_replay.c $(CORE_O) csrc/fuzz/fuzz.h csrc/*.h | $(B)
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ csrc/test/fuzz_replay.c $< $(CORE_O) $(LIBS)

$(B):
	@mkdir -p $(B)

ctest: $(CTESTS) replay
	@for t in $(CTESTS); do echo "== $$t"; $$t $(SHARED)/data || exit 1; done

replay: $(REPLAYS)
	@for n in $(FUZZ_NAMES); do \
	  d=$$(for x in spec/fuzz-regressions/$$n csrc/fuzz/seeds/$$n; do [ -d $$x ] && echo $$x; done); \
	  [ -z "$$d" ] || $(B)/replay_$$n $$d || exit 1; \
	done

# (bin/dossier's compiled Lua modules in build/, not the user's cache)
spec: $(MODULE)
	DOSSIER_SHARED=$(SHARED) DOSSIER_CACHE=$(B)/luac busted --lua=$(LUA)

test:
	@tools/deps.sh $(DEB_BUILD) $(DEB_RUN) $(DEB_TEST)
	@$(MAKE) --no-print-directory all ctest spec

run: deps
	@echo "building dossier (make all) ..."
	@$(MAKE) -s --no-print-directory all
	@rm -f $(SAMPLE_DB) $(SAMPLE_DB)-wal $(SAMPLE_DB)-shm
	@echo '$$ bin/dossier index corpus/seeds --db $(SAMPLE_DB)'
	@bin/dossier index corpus/seeds --db $(SAMPLE_DB)
	@echo; echo '$$ bin/dossier info --db $(SAMPLE_DB)'
	@bin/dossier info --db $(SAMPLE_DB)
	@echo; echo "$$ bin/dossier query --db $(SAMPLE_DB) '\"technological\"%c \"sovereignty\"' --width 35"
	@bin/dossier query --db $(SAMPLE_DB) '"technological"%c "sovereignty"' --width 35
	@echo; echo '$$ bin/dossier report --db $(SAMPLE_DB) -o $(REPORT)'
	@bin/dossier report --db $(SAMPLE_DB) -o $(REPORT)
	@echo; echo "Open $(REPORT) in a browser. Next: bin/dossier repl --db $(SAMPLE_DB)   (type help), or bin/dossier --help;"
	@echo "      your own documents: bin/dossier index DIR --db my.db (txt, html, md, pdf, jsonl)"

# The browser check of the report (issue 19): Debian's Chromium driven by playwright-core
# (from the npm registry, into build/check/), at 1280 and 390 pixels wide; screenshots
# in build/check/.
check-report: $(MODULE)
	@tools/deps.sh chromium
	@command -v node >/dev/null && command -v npm >/dev/null || tools/deps.sh nodejs npm
	@mkdir -p build/check
	@test -d build/check/node_modules/playwright-core || \
	  npm install --prefix build/check --no-audit --no-fund --silent playwright-core@1
	@rm -f $(SAMPLE_DB) $(SAMPLE_DB)-wal $(SAMPLE_DB)-shm
	@bin/dossier index -q corpus/seeds --db $(SAMPLE_DB)
	@bin/dossier report -q --db $(SAMPLE_DB) -o $(REPORT)
	NODE_PATH=build/check/node_modules node tools/check_report.cjs $(REPORT) build/check

# The C tests and the busted suite with AddressSanitizer and UndefinedBehaviorSanitizer
# (clang; the module goes to build/asan/, the ASan runtime is preloaded into lua5.4).
ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan:
	@tools/deps.sh $(DEB_BUILD) $(DEB_RUN) $(DEB_TEST) clang libclang-rt-14-dev
	@mkdir -p build/asan/dossier
	$(MAKE) --no-print-directory B=build/asan CC=clang SAN="$(ASAN_FLAGS) -DDS_NGRAM_BATCH=512" \
	  MODULE=build/asan/dossier/core.so build/asan/dossier/core.so build/asan/test_core build/asan/test_uax29 build/asan/test_tagger build/asan/test_store build/asan/test_query build/asan/test_threads build/asan/test_count build/asan/test_recognize build/asan/test_gazetteer build/asan/test_ner
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:max_allocation_size_mb=2048 \
	  $(MAKE) --no-print-directory B=build/asan CC=clang SAN="$(ASAN_FLAGS)" replay
	ASAN_OPTIONS=detect_leaks=1 build/asan/test_core $(SHARED)/data
	ASAN_OPTIONS=detect_leaks=1 build/asan/test_uax29 $(SHARED)/data
	ASAN_OPTIONS=detect_leaks=1 build/asan/test_tagger $(SHARED)/data
	ASAN_OPTIONS=detect_leaks=1 build/asan/test_store $(SHARED)/data
	ASAN_OPTIONS=detect_leaks=1 build/asan/test_query $(SHARED)/data
	ASAN_OPTIONS=detect_leaks=1 build/asan/test_threads $(SHARED)/data
	ASAN_OPTIONS=detect_leaks=1 build/asan/test_count $(SHARED)/data
	ASAN_OPTIONS=detect_leaks=1 build/asan/test_recognize $(SHARED)/data
	ASAN_OPTIONS=detect_leaks=1 build/asan/test_gazetteer $(SHARED)/data
	ASAN_OPTIONS=detect_leaks=1 build/asan/test_ner $(SHARED)/data
	LD_PRELOAD=$$(clang -print-file-name=libclang_rt.asan-x86_64.so) \
	  ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
	  DOSSIER_SHARED=$(SHARED) DOSSIER_CACHE=build/asan/luac busted --lua=$(LUA) --cpath='build/asan/?.so'

# Worker threads under ThreadSanitizer: the store's C tests (parallel indexing among
# them), and the sample corpus with edited copies indexed with 1, 2 and 4 jobs, clean-up
# on (language data loaded), tagged and lemmatized (test_threads); the recognizers on four
# threads at once (test_recognize), and the gazetteer shared by threads (test_gazetteer),
# and one NER model shared by three threads (test_ner); n-grams counted on two threads
# (test_count). A data race fails it.
TSAN_TESTS = build/tsan/test_store build/tsan/test_threads build/tsan/test_count build/tsan/test_recognize build/tsan/test_gazetteer build/tsan/test_ner
tsan:
	@tools/deps.sh $(DEB_BUILD) clang libclang-rt-14-dev
	$(MAKE) --no-print-directory B=build/tsan CC=clang CFLAGS="-O1 -g -DDS_NGRAM_BATCH=512" SAN="-fsanitize=thread" $(TSAN_TESTS)
	@for t in $(TSAN_TESTS); do echo "== $$t"; \
	  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 $$t $(SHARED)/data || exit 1; done

# A representative CLI session and the fuzz regression inputs under valgrind's memcheck.
valgrind: all $(REPLAYS)
	@tools/deps.sh $(DEB_BUILD) $(DEB_RUN) $(DEB_VALGRIND)
	.ci/valgrind.sh

# Benchmarks: they print figures and assert nothing (see bench/README.md).
$(B)/bench_tokenize: bench/bench_tokenize.c $(CORE_O) csrc/*.h | $(B)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(CORE_O) $(LIBS)

$(B)/bench_recognize: bench/bench_recognize.c $(CORE_O) csrc/*.h | $(B)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(CORE_O) $(LIBS)


$(B)/bench_ner: bench/bench_ner.c $(CORE_O) csrc/*.h | $(B)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(CORE_O) $(LIBS)

bench: deps all $(B)/bench_tokenize $(B)/bench_recognize $(B)/bench_ner
	@tools/deps.sh python3-nltk
	bin/dossier run bench/segmentation.lua
	bench/tokenize_speed.sh
	bench/tagger_speed.sh $(SHARED)/data
	bench/recognize_speed.sh
	$(B)/bench_ner $(SHARED)/data/bench-text/kjv-1MB.txt

# Retrain the tagger, lemmatizer and NER models in corpus/models from ../shared/data
# (fixed seeds: the same bytes every time).
models:
	tools/train_tagger.sh $(SHARED)/data
	tools/train_ner.sh $(SHARED)/data

# Fuzzing (clang/libFuzzer): each csrc/fuzz/fuzz_*.c target for FUZZ_SECONDS; with
# FUZZ_SECONDS=0 it only replays spec/fuzz-regressions/. Corpora and findings go to build/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
FUZZ_JOBS    ?= 1
fuzz:
	JOBS=$(FUZZ_JOBS) SHARED=$(SHARED) csrc/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Regenerate the UAX #29 property tables from the Unicode data files.
uniprop:
	$(LUA) tools/gen_uniprop.lua $(SHARED)/data/unicode-15.0 > csrc/ds_uniprop.c.new
	mv csrc/ds_uniprop.c.new csrc/ds_uniprop.c

abbrev:
	$(LUA) tools/gen_abbrev.lua corpus/lexicon/en-abbreviations.txt > csrc/ds_abbrev.c.new
	mv csrc/ds_abbrev.c.new csrc/ds_abbrev.c

install: deps
	luarocks --lua-version=5.4 make rockspec/dossier-scm-1.rockspec

clean:
	rm -rf $(B) $(MODULE)
