/*
** cql_plan.h -- the bound query (struct ds_eval) shared by ds_eval.c (binding, planning)
** and cql_run*.c (running); internal to the query engine.
*/
#ifndef CQL_PLAN_H
#define CQL_PLAN_H

#include "cql_vm.h"
#include "ds_eval.h"

/*
** Fewest positions of the driver for other tokens of a plain body to be read with posting
** cursors (leapfrog: each seeks past the others' gaps) rather than in the token stream.
** (The first evaluator measured on 10 M tokens: cursors made "said" "the" 10 times faster,
** "of" "the" 3 times; with a driver under 64 positions both ways took under 0.3 ms.)
*/
#define DS_EVAL_MIN_LEAPFROG 64

/*
** Most postings a cursor beside the driver may read per driver position, unless the list
** is in memory already: reading a list means copying all of it out of SQLite's pages
** (about 2 ns a position), checking the token stream about 1.5 us a driver position in a
** document of its own; `[pos="NOUN"] "sovereignty"` (4 M NOUN, 488 sovereignty) took 5 ms
** the first time with a cursor on NOUN.
*/
#define DS_EVAL_MAX_LEAP_RATIO 500

/* Most tokens a match may span: CQP's HardBoundary without `within`, and with a structure. */
#define DS_EVAL_HARD_BOUNDARY 500
#define DS_EVAL_MAX_REGION 10000

/* A node of the global constraint: AND, OR, NOT (aKid), REFEQ, CMP of a label, META. */
typedef struct cql_gnode {
  int eKind;
  int eOp;
  int iSlot, iSlot2;    /* REFEQ, CMP: the labels' slots */
  int attr, attr2;
  cql_idset set;        /* CMP of a label (owned) */
  unsigned char *aDocOk;  /* META: per document, 1 or 0, or CQL_DOC_UNKNOWN (owned) */
  cql_regex *re;        /* META of doc.name (= or !=): tried on a document's name the first
                           time the document is asked about (cql_meta_doc) (owned) */
  size_t iAt, iCharAt;  /* META: its byte offset and character position in the query */
  int iKid, nKid;
} cql_gnode;

/* A document not asked about yet, in aDocOk (the META node's and the plan's). */
#define CQL_DOC_UNKNOWN 2

/*
** Does document k pass META node j, or (cql_doc_ok) the plan's metadata filter? 1 or 0,
** or -rc with e set (a regex over its limits). A document's answer is found once, at its
** first question, and kept in aDocOk: a query asks only about the documents its
** candidates fall in (as CQP tries a global constraint on each match), not about all.
*/
int cql_meta_doc(const ds_eval *p, const ds_corpus *c, int j, size_t k, ds_error *e);
int cql_doc_ok(const ds_eval *p, const ds_corpus *c, size_t k, ds_error *e);

/* Longest gap `[]{n,m}` between two tokens that cql_run_gap answers from postings. */
#define CQL_MAX_GAP 100

/* Most alternatives of a `|` whose union can drive. */
#define CQL_MAX_ALT 64

struct ds_eval {
  int eKind;            /* E_BODY (a sequence), E_SPANS (`<s/>`), E_MEET, E_UNION */
  cql_vm vm;            /* E_BODY: the program */
  int eStrategy;
  int iDriver;          /* the constraint that drives (-1: scan every position) */
  int64_t offLo, offHi; /* where its token stands from the match's start (offHi -1: open) */
  int64_t minLen;       /* fewest tokens of a match */
  int *aFixCons;        /* a body of plain tokens only: each one's constraint (-1: []) (owned) */
  int *aFixSlot;        /* ... and the slot its label sets (-1: none) (owned) */
  int nFix;             /* its length (0: not such a body: the matcher runs) */
  int aLeap[8];         /* tokens of such a body read with posting cursors beside the driver */
  int nLeap;
  /* other required one-value tokens of a body the matcher runs, at [lo, hi] from the
     start (hi -1: open): a cursor on each must have a position there, or the start is
     skipped without reading the token stream */
  /* or (iDriver -1, nAlt > 0) a required `|` drives: the union of its alternatives'
     rarest constraints, each at [aAltLo, aAltHi] from the match's start (hi -1: open) */
  int aAltCons[CQL_MAX_ALT];
  int64_t aAltLo[CQL_MAX_ALT], aAltHi[CQL_MAX_ALT];
  int nAlt;
  int64_t altFreq;      /* their frequencies summed */
  /* or a body `A []{gapLo,gapHi} B` (A, B constraints of one attribute with postings): the
     matches come from the two posting lists alone (cql_run_drive.c cql_run_gap); -1: not
     such a body */
  int iGapA, iGapB;
  int64_t gapLo, gapHi;
  /* or (bOpen) a body `[]{openLead,} X` or `[]{openLead,} X []{openTrail,}` (X one token,
     its constraint iOpenCons; openTrail -1: none): under `within`, the matches come from
     X's positions and its structure (cql_run_drive.c run_open) */
  int bOpen;
  int iOpenCons;
  int64_t openLead, openTrail;
  int aPreCons[8];
  int64_t aPreLo[8], aPreHi[8];
  int nPre;
  cql_gnode *aG;        /* the global constraint (owned), root aG[iG] or iG -1 */
  int nG, iG;
  int *aGKid;
  int nGKid;
  int bGLabels;         /* it reads labels (else it only filters documents) */
  unsigned char *aDocOk;  /* documents that can match (NULL: all) (owned) */
  char zWithin[16];     /* `within KIND` ("" none) */
  int64_t nWithinTokens;
  char zSpan[16];       /* E_SPANS: the kind */
  unsigned char *aSpanDocOk;  /* E_SPANS of doc with attributes */
  cql_spantest *aSpanTest;    /* E_SPANS of a recognizer's kind with attributes (owned) */
  int nSpanTest;
  ds_eval *pContaining; /* the query after containing (owned) */
  int bNotContaining;
  char zExpand[16];
  int64_t nExpandTokens;
  ds_eval *pA, *pB;     /* E_MEET, E_UNION: the arguments (owned) */
  char zMeet[16];       /* E_MEET in a structure, or the window */
  int64_t meetLo, meetHi;
  size_t nAnchor;       /* anchor columns: 0, or 2 + labels (target, keyword, labels) */
  char azLabel[DS_CQL_MAX_LABELS][32];   /* the labels' names */
  size_t nDocs;         /* documents when bound */
};

enum { E_BODY = 1, E_SPANS, E_MEET, E_UNION };

/*
** Does cql_run_gap answer body p? (`A []{n,m} B` with the shortest match from each start, no
** labels, structure or global constraint on labels: then each A's match ends at the first
** B at n + 1 .. m + 1 tokens after it, in its document.)
*/
static inline int cql_gap_plan(const ds_eval *p) {
  return p->eKind == E_BODY && p->iGapA >= 0 && p->eStrategy != DS_CQL_LONGEST && !p->nAnchor &&
         !p->zWithin[0] && !p->nWithinTokens && (p->iG < 0 || !p->bGLabels) && !p->vm.bEmpty;
}

/* Compare ISO dates to the precision of the shorter one: <0, 0, >0 (an interval by its start). */
int cql_date_cmp(const char *zA, const char *zB);

/* Is zKind a structure the store has? (s, p, head, note, doc) */
int cql_known_kind(const char *zKind);

#endif
