/*
** cql_vm.h -- a query body (ds_cql.h tree) compiled to a program of token tests, and the
** matcher that runs it over the token stream from one start position (internal to the
** query engine; ds_eval.c drives it).
**
** The program is a Thompson automaton: TOK tests one token (a constraint tree over
** lexicon id sets), SPLIT/JMP make alternation and repetition, LABEL records a position,
** OPEN/CLOSE assert structure boundaries. The matcher runs it breadth first (a Pike
** machine): every thread advances one token at a time, so a run costs at most
** (tokens read) x (program size), whatever the query; threads carry their labels.
**
** Regions are strict, as CQP's StrictRegions (on by default): a closing tag written after
** an opening tag of the same kind (`<s> []* </s>`) must close the very span that opening
** tag opened. The opening tag keeps the span's last token in a slot of its kind; while it
** is set no token past it is read, that closing tag holds only at that token, and clears
** the slot. As in CQP, a closing tag a match begins with is not held to it (its region
** was never opened).
*/
#ifndef CQL_VM_H
#define CQL_VM_H

#include "cql_idset.h"
#include "ds_cql.h"

/* Largest program (instructions, after repetitions are written out). */
#define CQL_VM_MAX_PROGRAM 100000

/* Kinds of strict region a query may pair (more: an error), and slots in all. */
#define CQL_VM_MAX_STRICT 4
#define CQL_VM_MAX_SLOTS (DS_CQL_MAX_LABELS + 1 + CQL_VM_MAX_STRICT)

enum { CQL_TOK = 1, CQL_ANY, CQL_SPLIT, CQL_JMP, CQL_LABEL, CQL_OPEN, CQL_CLOSE, CQL_MATCH };

typedef struct cql_ins {
  int op;
  int x, y;             /* TOK: constraint; SPLIT: both targets (x first); JMP: x; LABEL: slot;
                           OPEN/CLOSE: structure (cql_vm.aStruct) x, strict region slot y
                           (0: none) */
  int leaf;             /* TOK, ANY, OPEN, CLOSE: the query's token or tag it is written from
                           (its tree node; the copies of a repetition share it); others -1 */
} cql_ins;

/* A constraint on one token: CMP (an id set, eOp), AND, OR, NOT over aKid[iKid..+nKid). */
typedef struct cql_cons {
  int eKind;            /* DS_CQL_CMP, _AND, _OR, _NOT */
  int bNe;              /* CMP with != */
  cql_idset set;        /* CMP (owned) */
  int iKid, nKid;
} cql_cons;

/* A structure the program asserts: its kind, and for <doc ...> a per-document filter. */
/* `<ent type="ORG">`: a test of one value of a recognizer's span. */
typedef struct cql_spantest {
  int iAttr;            /* the value's place in the kind's order (ds_doc.h) */
  int eOp;              /* DS_CQL_EQ, _NE (a regex), _LT .. _GE (as ISO dates) */
  cql_regex *re;        /* EQ, NE (owned) */
  char zWant[16];       /* LT .. GE: the date */
} cql_spantest;

typedef struct cql_struct {
  char zKind[16];
  int iNode;            /* its STRUCT node in the tree (for its attributes) */
  unsigned char *aDocOk;  /* <doc attrs>: aDocOk[k] for document k, or NULL: any (owned) */
  cql_spantest *aTest;  /* <ent attrs>: every one must hold (owned) */
  int nTest;
} cql_struct;

/* Free n span tests and the array. */
void cql_spantests_free(cql_spantest *a, int n);

typedef struct cql_vm {
  cql_ins *aIns;        /* the program, from instruction 0 (owned) */
  int nIns, nInsAlloc;
  cql_cons *aCons;      /* constraints (owned) */
  int nCons, nConsAlloc;
  int *aKid;            /* children of AND/OR/NOT (owned) */
  int nKid, nKidAlloc;
  cql_struct *aStruct;  /* structures (owned) */
  int nStruct;
  int nSlot;            /* 1 (target) + labels + strict regions */
  int aStrictSlot[CQL_VM_MAX_STRICT];   /* the strict regions' slots */
  int nStrict;
  int nVar;             /* 3^nStrict: a thread's variants by its strict regions (cql_vm.c) */
  int *aNodeCons;       /* TOKEN node of the tree -> its constraint, or -1 (owned) */
  int *aFirst;          /* the leaves a match can begin with (cql_ins.leaf), each once (owned) */
  int nFirst;
  int bEmpty;           /* some required constraint matches no lexicon entry: no match */
} cql_vm;

/* What the matcher reads: the kind of each token and the structures around it. */
typedef struct cql_reader {
  void *ctx;
  /* The lexicon id of attr at corpus position pos into *pId: DS_OK or an error. */
  int (*xId)(void *ctx, int64_t pos, int attr, uint32_t *pId);
  /* Does structure i start at pos (bOpen) / end at pos - 1 (!bOpen)? 1 (*pLast: the
     span's last token), 0, or < 0 an error. */
  int (*xStruct)(void *ctx, int iStruct, int64_t pos, int bOpen, int64_t *pLast);
  /* Does the whole match [first, last] with labels aSlot pass the global constraint? 1, 0, < 0 */
  int (*xGlobal)(void *ctx, int64_t first, int64_t last, const int64_t *aSlot);
} cql_reader;

/* Scratch space of the matcher (thread lists), reused across runs. */
typedef struct cql_run {
  int *aPc[2];          /* thread lists: program counters */
  int64_t *aSlot[2];    /* their slots, nSlot each */
  int n[2];
  int *aSeen;           /* generation mark per instruction and variant (nAlloc), then as
                           many for paths that passed no leaf yet */
  int gen;
  int *aStack;          /* for following SPLIT/JMP without recursion */
  int64_t *aStackSlot;
  size_t nAlloc;        /* instructions x variants the lists have room for */
  unsigned nTick;       /* positions stepped: an interrupt is looked for now and then */
} cql_run;

/*
** Compile body node iBody of t (resolving values against c) into vm (zeroed first; free
** with cql_vm_free). Structures are recorded by kind; their attribute filters (aDocOk)
** are the caller's to fill.
*/
int cql_vm_compile(ds_corpus *c, const ds_cql *t, int iBody, cql_vm *vm, ds_error *e);

void cql_vm_free(cql_vm *vm);

/* Does constraint i hold for the token at pos? 1, 0, or < 0 an error (from xId). */
int cql_vm_test(const cql_vm *vm, int i, const cql_reader *r, int64_t pos);

/*
** Run vm from corpus position s, reading tokens [s, lim). bLongest: the last match found,
** else the first (shortest). first >= 0: only the paths that begin with that leaf (one of
** vm->aFirst; CQP's traditional strategy tries each way a match can begin). *pLast is the
** match's last token (-1: no match), aSlot its labels (-1 unset). *pbCut is set when
** threads were still running at lim. DS_OK or an error.
*/
int cql_vm_run(const cql_vm *vm, cql_run *run, const cql_reader *r, int64_t s, int64_t lim,
               int bLongest, int first, int64_t *pLast, int64_t *aSlot, int *pbCut, ds_error *e);

void cql_run_free(cql_run *run);

#endif
