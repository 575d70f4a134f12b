rockspec_format = "3.0"
package = "dossier"
version = "scm-1"
source = {
  url = "git+file:///dossier",   -- build from a checkout: luarocks make rockspec/dossier-scm-1.rockspec
}
description = {
  summary = "A corpus toolkit: parse, tag, index and query documents in one SQLite file",
  detailed = [[
dossier turns plain-text documents into an indexed corpus (one SQLite file) and answers
questions about it: concordances, token-sequence queries, counts. The core is C; the API,
command line (`dossier`) and REPL are Lua 5.4.
]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.4",
  "argparse",
  "lua-cjson",
  "readline",
  "luafilesystem",
  "lua-term",
}
external_dependencies = {
  SQLITE = { header = "sqlite3.h", library = "sqlite3" },
  PCRE2 = { header = "pcre2.h", library = "pcre2-8" },
  UTF8PROC = { header = "utf8proc.h", library = "utf8proc" },
  NETTLE = { header = "nettle/sha2.h", library = "nettle" },
  GUMBO = { header = "gumbo.h", library = "gumbo" },
  CMARK = { header = "cmark.h", library = "cmark" },
  YAML = { header = "yaml.h", library = "yaml" },
  -- Nettle, gumbo, cmark and libyaml: their headers at build time; the libraries are
  -- loaded when first needed (csrc/ds_dynlib.h), not linked: a query loads none of them.
  -- (By Debian's sonames, or the lib*.so development link that comes with the headers;
  -- `make` passes the sonames of the libraries it finds instead.)
  -- PDF: Poppler's GLib API, which includes GLib's and cairo's headers; the library is
  -- loaded with dlopen when the first PDF is read (csrc/ds_pdf.c), not linked
  POPPLER = { header = "poppler/glib/poppler.h", library = "poppler-glib" },
  GLIB = { header = "glib-2.0/glib.h", library = "glib-2.0" },   -- found for glibconfig.h's directory
  CAIRO = { header = "cairo/cairo.h" },
}
build = {
  type = "builtin",
  modules = {
    ["dossier.core"] = {
      sources = {
        "csrc/ds.c", "csrc/ds_dynlib.c", "csrc/ds_buf.c", "csrc/ds_utf8.c", "csrc/ds_uniprop.c", "csrc/ds_uax29.c",
        "csrc/ds_doc.c", "csrc/ds_strmap.c", "csrc/ds_lines.c", "csrc/ds_langdata.c", "csrc/ds_sitelines.c", "csrc/ds_clean.c", "csrc/ds_offmap.c", "csrc/ds_markup.c", "csrc/ds_markup_html.c", "csrc/ds_markup_md.c", "csrc/ds_date.c",
        "csrc/ds_conllu_read.c", "csrc/ds_model.c", "csrc/ds_tagger.c", "csrc/ds_lemma.c", "csrc/ds_annotate.c", "csrc/ds_ner.c", "csrc/ds_extract.c",
        "csrc/ds_rec_date.c", "csrc/ds_rec_money.c", "csrc/ds_rec_cite.c", "csrc/ds_rec_quote.c",
        "csrc/ds_reader.c", "csrc/ds_pdf.c",
        "csrc/ds_abbrev.c", "csrc/ds_tokenize.c", "csrc/ds_boundary.c", "csrc/ds_boundary_model.c", "csrc/ds_sentence.c", "csrc/ds_parse.c", "csrc/ds_conllu.c",
        "csrc/ds_hash.c", "csrc/ds_intern.c", "csrc/ds_lexicon.c", "csrc/ds_postings.c", "csrc/ds_ttype.c", "csrc/ds_store.c", "csrc/ds_store_write.c",
        "csrc/ds_store_read.c", "csrc/ds_store_postlists.c", "csrc/ds_store_search.c", "csrc/ds_store_merge.c", "csrc/ds_store_check.c", "csrc/ds_fts5.c",
        "csrc/ds_kwic.c", "csrc/ds_parts.c", "csrc/ds_ingest.c", "csrc/ds_cql.c", "csrc/cql_explain.c", "csrc/cql_idset.c", "csrc/cql_vm.c", "csrc/ds_eval.c", "csrc/cql_run.c", "csrc/cql_run_drive.c", "csrc/cql_run_meet.c",
        "csrc/ds_matchset.c", "csrc/ds_matchsort.c", "csrc/ds_query.c", "csrc/ds_count.c", "csrc/ds_count_seqs.c", "csrc/ds_count_ngram.c", "csrc/ds_count_matches.c", "csrc/ds_count_merge.c", "csrc/ds_similar.c", "csrc/ds_cooccur.c", "csrc/ds_network.c", "csrc/ds_gazetteer.c",
        "csrc/lds_core.c", "csrc/lds_models.c", "csrc/lds_sitelines.c", "csrc/lds_parse.c", "csrc/lds_uax29.c",
        "csrc/lds_corpus.c", "csrc/lds_search.c", "csrc/lds_query.c", "csrc/lds_testing.c", "csrc/lds_count.c", "csrc/lds_merge.c", "csrc/lds_recipes.c",
      },
      defines = { "_POSIX_C_SOURCE=200809L" },
      incdirs = { "csrc", "$(SQLITE_INCDIR)", "$(PCRE2_INCDIR)", "$(UTF8PROC_INCDIR)", "$(NETTLE_INCDIR)",
                  "$(GUMBO_INCDIR)", "$(CMARK_INCDIR)", "$(YAML_INCDIR)",
                  "$(POPPLER_INCDIR)/poppler/glib", "$(POPPLER_INCDIR)/poppler",
                  "$(GLIB_INCDIR)/glib-2.0", "$(GLIB_LIBDIR)/glib-2.0/include", "$(CAIRO_INCDIR)/cairo" },
      libdirs = { "$(SQLITE_LIBDIR)", "$(PCRE2_LIBDIR)", "$(UTF8PROC_LIBDIR)" },
      libraries = { "sqlite3", "pcre2-8", "utf8proc", "dl", "pthread", "m" },
    },
    ["dossier"] = "lua/dossier/init.lua",
    ["dossier.add"] = "lua/dossier/add.lua",
    ["dossier.cli"] = "lua/dossier/cli.lua",
    ["dossier.cli.commands"] = "lua/dossier/cli/commands.lua",
    ["dossier.cli.query"] = "lua/dossier/cli/query.lua",
    ["dossier.data"] = "lua/dossier/data.lua",
    ["dossier.loader"] = "lua/dossier/loader.lua",
    ["dossier.files"] = "lua/dossier/files.lua",
    ["dossier.format"] = "lua/dossier/format.lua",
    ["dossier.repl"] = "lua/dossier/repl.lua",
    ["dossier.sites"] = "lua/dossier/sites.lua",
    ["dossier.stats"] = "lua/dossier/stats.lua",
    ["dossier.where"] = "lua/dossier/where.lua",
    ["dossier.recipes.common"] = "lua/dossier/recipes/common.lua",
    ["dossier.recipes.kwic"] = "lua/dossier/recipes/kwic.lua",
    ["dossier.recipes.freq"] = "lua/dossier/recipes/freq.lua",
    ["dossier.recipes.ngrams"] = "lua/dossier/recipes/ngrams.lua",
    ["dossier.recipes.collocates"] = "lua/dossier/recipes/collocates.lua",
    ["dossier.recipes.keyness"] = "lua/dossier/recipes/keyness.lua",
    ["dossier.recipes.dispersion"] = "lua/dossier/recipes/dispersion.lua",
    ["dossier.recipes.export"] = "lua/dossier/recipes/export.lua",
    ["dossier.recipes.svg"] = "lua/dossier/recipes/svg.lua",
  },
  install = {
    bin = { dossier = "bin/dossier" },
  },
  copy_directories = { "corpus" },   -- lexicons and models, found by lua/dossier/data.lua
}
test = {
  type = "busted",
}
