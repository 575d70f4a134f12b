/*
** ds_cql.h -- CQL text -> query tree, without a corpus.
**
** A query is parsed on its own, so it can be checked and explained before any corpus is
** open; ds_eval.h binds the tree to a corpus and runs it. The language is CQP's CQL:
**   [word="surveil.*"]           a regular expression matched against the whole value
**   [lemma="be" & pos!="AUX"]    `&` `|` `!` and parentheses inside brackets
**   "China"  "china"%c  "naïve"%d  "U.S."%l      [word=...] with flags: %c case, %d
**                                diacritics, %l literal; a string without regex
**                                characters that holds several tokens ("Sino-Russian")
**                                stands for their sequence
**   []  [] {2,3}  ( "a" "b" )+  "a" | "b" "c"    any token, repetition, groups, alternation
**   <s> </s> <p> <doc kind="news">               structure boundaries (zero width)
**   a:[pos="ADJ"] @[pos="NOUN"]                  labels and the target
** then clauses in CQP's order:
**   :: a.lemma = b.lemma & doc.kind = "news"     global constraint (labels, metadata)
**   within s | within 10                         a structure, or a number of tokens
**   containing "x" / not containing "x"          (after `<s/>`, `<p/>` ...: whole spans)
**   expand to s | expand to 5
** and before everything an optional strategy: (?longest) (?shortest) (?traditional)
** (?standard). `MU(meet A B s)` / `MU(meet A B -5 5)` is a query of its own.
** A word outside quotes is an error (only labels `a:` and keywords are bare).
**
** The tree is an array of nodes; a node's children are a list (iChild, then each one's
** iNext; -1 ends it), so a parent is always before its children. Every node records the
** bytes of the query it came from, [iStart, iEnd). Strings (values, names) live in the
** tree's pool: ds_cql_str gives them. Kinds:
**   SEQ    its children one after another (the body's root when it is a sequence)
**   TOKEN  one token: one child constraint (CMP, AND, OR, NOT), or none for `[]`
**   CMP    attribute iAttr, eOp (EQ, NE), the value, flags (LITERAL or a regex; FOLD,
**          DIACR); in the global constraint, CMP with iName (a label) compares the
**          label's token
**   AND, OR, NOT  boolean constraints (on one token, or global)
**   REPEAT child 0, nMin..nMax times (nMax -1: no bound)
**   ALT    one of its children
**   STRUCT a boundary `<s>` (eOp OPEN) / `</s>` (CLOSE) of kind zName, or a whole span
**          `<s/>` (eOp SPAN); META children for its attributes (`<doc kind="news">`)
**   META   a document's metadata: zName (key) eOp value (EQ, NE regexes; LT LE GT GE
**          compare as ISO dates)
**   LABEL  child 0 marked: zName "@" (target) or a label
**   REFEQ  global: label iName's attribute iAttr eOp (EQ, NE) label iName2's attribute iAttr2
**   MEET   MU: children A, B (tokens or MEETs); zName the structure, or nMin..nMax window
**   UNION  MU(union A B)
**
** Values: a literal's value is what the corpus stores (NFC; case-folded with %c, then
** compared on `norm` by the evaluator), a regex's value is the pattern as written (NFC).
*/
#ifndef DS_CQL_H
#define DS_CQL_H

#include "ds.h"
#include "ds_buf.h"

/* Longest query, in token constraints: longer ones are refused (their time grows with it). */
#define DS_QUERY_MAX_TOKENS 1000
/* Largest bound of a repetition `{n,m}`, and deepest nesting of groups and brackets. */
#define DS_CQL_MAX_REPEAT 1000
#define DS_CQL_MAX_DEPTH 100
/* Most labels a query names. */
#define DS_CQL_MAX_LABELS 32

/* Node kinds. */
enum {
  DS_CQL_SEQ = 1,   /* children one after another */
  DS_CQL_TOKEN,     /* one token: its constraint (child 0), or none: any token */
  DS_CQL_CMP,       /* attribute eOp value */
  DS_CQL_AND,       /* every child constraint */
  DS_CQL_OR,        /* some child constraint */
  DS_CQL_NOT,       /* not its child constraint */
  DS_CQL_REPEAT,    /* child 0, nMin..nMax times */
  DS_CQL_ALT,       /* one of the children */
  DS_CQL_STRUCT,    /* structure boundary zName (eOp OPEN or CLOSE) */
  DS_CQL_WITHIN,    /* child 0 within structure zName */
  DS_CQL_META,      /* document metadata: zName eOp value */
  DS_CQL_LABEL,     /* child 0 marked: zName "@" target, else a label */
  DS_CQL_REFEQ,     /* global: label.attr eOp label2.attr2 */
  DS_CQL_MEET,      /* MU(meet A B s | lo hi) */
  DS_CQL_UNION      /* MU(union A B) */
};

/* Operators (eOp). */
enum {
  DS_CQL_EQ = 1,    /* =  */
  DS_CQL_NE,        /* != */
  DS_CQL_OPEN,      /* <s> */
  DS_CQL_CLOSE,     /* </s> */
  DS_CQL_SPAN,      /* <s/> */
  DS_CQL_LT, DS_CQL_LE, DS_CQL_GT, DS_CQL_GE   /* metadata, as dates */
};

/* Matching strategies (CQP's). */
enum { DS_CQL_STANDARD = 0, DS_CQL_SHORTEST, DS_CQL_LONGEST, DS_CQL_TRADITIONAL };

/* Flags of a value. */
#define DS_CQL_LITERAL 0x01   /* the value is a literal string (else a regular expression) */
#define DS_CQL_FOLD    0x02   /* %c: compared case-folded */
#define DS_CQL_DIACR   0x04   /* %d: compared without diacritics */

typedef struct ds_cql_node {
  int eKind;            /* DS_CQL_SEQ ... */
  int eOp;              /* CMP, META: DS_CQL_EQ / _NE; STRUCT: _OPEN / _CLOSE */
  int iAttr;            /* CMP: attribute (DS_ATTR_*), as written */
  int flags;            /* CMP, META: DS_CQL_LITERAL | DS_CQL_FOLD ... */
  int iChild;           /* first child, or -1 */
  int iNext;            /* next sibling, or -1 */
  int nChild;           /* number of children */
  int nMin, nMax;       /* REPEAT: bounds (nMax -1: none); MEET: the window (nName 0);
                           LABEL, CMP of a label, REFEQ: nMin the label's index (-1: target),
                           REFEQ: nMax the second label's index */
  size_t iValue, nValue;  /* CMP, META: the value's bytes in the pool */
  size_t iName, nName;    /* STRUCT, META, LABEL, MEET, CMP of a label: a name in the pool (nName 0: none) */
  size_t iName2, nName2;  /* REFEQ: the second label */
  int iAttr2;             /* REFEQ: the second label's attribute */
  size_t iStart, iEnd;  /* where it came from: bytes [iStart, iEnd) of the query */
} ds_cql_node;

typedef struct ds_cql {
  ds_cql_node *aNode;   /* the nodes; aNode[iRoot] is the root (owned) */
  size_t nNode, nAlloc;
  int iRoot;
  ds_buf pool;          /* strings, each followed by a NUL, the query's text first (owned) */
  size_t nToken;        /* TOKEN nodes */
  size_t nQuery;        /* length of the query text, in bytes: ds_cql_str(t, 0) */
  int eStrategy;        /* DS_CQL_STANDARD ... */
  int iGlobal;          /* the constraint after `::`, or -1 */
  size_t iWithin, nWithin;  /* `within KIND`: the kind in the pool (nWithin 0: none) */
  size_t iWithinAt, iExpandAt;  /* where the kinds of within and expand stand in the query */
  int64_t nWithinTokens;    /* `within N`: N (0: none) */
  int iContaining;      /* the query after `containing`, or -1 */
  int bNotContaining;   /* ... `not containing` */
  size_t iExpand, nExpand;  /* `expand to KIND` (nExpand 0: none) */
  int64_t nExpandTokens;    /* `expand to N` (0: none) */
  size_t nLabel;        /* distinct labels (not the target), in order of first use */
  int bTarget;          /* `@` used */
  char azLabel[DS_CQL_MAX_LABELS][32];   /* label names, by index */
} ds_cql;

/*
** Parse zQuery (NUL-terminated) into a new tree *pt, freed with ds_cql_free. Errors:
** DS_QUERY with the 1-based character position in the message ("... at position 7")
** and the byte offset in e->offset (inside the query, or its length for "at the end");
** DS_NOMEM. On error *pt is NULL.
*/
int ds_cql_parse(const char *zQuery, ds_cql **pt, ds_error *e);

void ds_cql_free(ds_cql *t);

/* Node i of t. */
static inline const ds_cql_node *ds_cql_at(const ds_cql *t, int i) { return &t->aNode[i]; }

/* A string of the pool (NUL-terminated; its length without the NUL is n). */
static inline const char *ds_cql_str(const ds_cql *t, size_t i) {
  return (const char *)t->pool.p + i;
}

/* Flags for ds_cql_explain. */
#define DS_CQL_EXPLAIN_OFFSETS 0x01   /* each node with its bytes: (token 4:9 ...) */

/*
** Append the tree as an S-expression to out, one node per parenthesis:
**   (seq (token (= word "digital")) (token (!= norm "the" %c)) (token))
** Strings are quoted with `"` and `\` escaped, control bytes as \xHH. Returns DS_OK or
** DS_NOMEM.
*/
int ds_cql_explain(const ds_cql *t, int flags, ds_buf *out);

/* Name of a node kind ("seq", "token", ...), or "?" */
const char *ds_cql_kind_name(int eKind);

/* 1-based character position of byte offset off in z (as parse errors give it). */
size_t ds_cql_char_pos(const char *z, size_t off);

#endif
