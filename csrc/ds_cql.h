/*
** ds_cql.h -- CQL text -> query tree, without a corpus.
**
** A query is parsed on its own, so it can be checked and explained before any corpus is
** open; ds_eval.h binds the tree to a corpus and runs it. The language today is the
** first subset of CQP's CQL (ds_query.h lists it):
**   "digital" "silk" "road"     literal strings; a string that holds several tokens (as
**                                "Sino-Russian") stands for their sequence
**   "china"%c                    case-insensitive
**   [word="Russia"] [norm!="the"] []     a constraint on one attribute, or none
**   sovereignty                  a bare word is a literal string
** A backslash escapes the next character in a string.
**
** The tree is an array of nodes; a node's children are a list (iChild, then each one's
** iNext; -1 ends it), so a parent is always before its children. Every node records the
** bytes of the query it came from, [iStart, iEnd). Strings (values, names) live in the
** tree's pool: ds_cql_str gives them. What today's parser makes:
**   SEQ    the query: its elements in order (the root; also a string of several tokens)
**   TOKEN  one token: one child constraint, or none for `[]`
**   CMP    a constraint on one token: attribute iAttr, eOp (EQ, NE), the value, flags
**          (DS_CQL_LITERAL always today; DS_CQL_FOLD for %c)
** The other kinds are laid out for the full CQL (the next issue), not made yet:
**   AND, OR, NOT  boolean constraints on one token (children: CMP, AND, OR, NOT)
**   REPEAT        its child nMin..nMax times (nMax -1: no bound): `[]{2,3}`, `?`, `*`, `+`
**   ALT           one of its children (`a | b` between sequences)
**   STRUCT        a structure boundary `<s>` / `</s>` (zName in the pool; eOp
**                 DS_CQL_OPEN or DS_CQL_CLOSE), with CMP children for its attributes
**   WITHIN        child 0 within the structure named (`within s`)
**   META          a document metadata constraint (`:: meta.year="2023"`): name, eOp, value
**   LABEL         child 0 marked by an anchor: `@` (target), `@1` (keyword) or `name:`
**
** Values: a CMP's value is what the evaluator compares, already normalized as the
** corpus stores it: a literal string tokenized as documents are (ds_tokenize_string) and
** each token NFC, or case-folded when %c (DS_CQL_FOLD) is given; a bracket's value is
** not tokenized. The attribute stays as written (`word` with %c is compared on `norm`
** by the evaluator, as the store folds only there).
**
**   ds_cql *t; ds_error e; ds_buf out = DS_BUF_INIT;
**   if (ds_cql_parse("\"Sino-Russian\" []", &t, &e) == DS_OK) {
**     ds_cql_explain(t, 0, &out);    -- (seq (seq (token (= word "Sino")) ...) (token))
**     ds_cql_free(t);
**   } else printf("%s\n", e.msg);    -- e.g. "unterminated string at position 1"
*/
#ifndef DS_CQL_H
#define DS_CQL_H

#include "ds.h"
#include "ds_buf.h"

/* Longest query, in token constraints: longer ones are refused (their time grows with it). */
#define DS_QUERY_MAX_TOKENS 1000

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
  DS_CQL_LABEL      /* child 0 marked: zName "@" target, "@1" keyword, else a label */
};

/* Operators (eOp). */
enum {
  DS_CQL_EQ = 1,    /* =  */
  DS_CQL_NE,        /* != */
  DS_CQL_OPEN,      /* <s> */
  DS_CQL_CLOSE      /* </s> */
};

/* Flags of a value. */
#define DS_CQL_LITERAL 0x01   /* the value is a literal string (else a regular expression) */
#define DS_CQL_FOLD    0x02   /* %c: compared case-folded */
#define DS_CQL_DIACR   0x04   /* %d: compared without diacritics (not supported yet) */

typedef struct ds_cql_node {
  int eKind;            /* DS_CQL_SEQ ... */
  int eOp;              /* CMP, META: DS_CQL_EQ / _NE; STRUCT: _OPEN / _CLOSE */
  int iAttr;            /* CMP: attribute (DS_ATTR_*), as written */
  int flags;            /* CMP, META: DS_CQL_LITERAL | DS_CQL_FOLD ... */
  int iChild;           /* first child, or -1 */
  int iNext;            /* next sibling, or -1 */
  int nChild;           /* number of children */
  int nMin, nMax;       /* REPEAT: bounds (nMax -1: none) */
  size_t iValue, nValue;  /* CMP, META: the value's bytes in the pool */
  size_t iName, nName;    /* STRUCT, WITHIN, META, LABEL: the name's bytes in the pool */
  size_t iStart, iEnd;  /* where it came from: bytes [iStart, iEnd) of the query */
} ds_cql_node;

typedef struct ds_cql {
  ds_cql_node *aNode;   /* the nodes; aNode[iRoot] is the root (owned) */
  size_t nNode, nAlloc;
  int iRoot;
  ds_buf pool;          /* strings, each followed by a NUL, the query's text first (owned) */
  size_t nToken;        /* TOKEN nodes (today: the length of every match) */
  size_t nQuery;        /* length of the query text, in bytes: ds_cql_str(t, 0) */
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
