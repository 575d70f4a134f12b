/*
** cql_vm.c -- query bodies compiled to programs, and the matcher (see cql_vm.h).
*/
#include "cql_vm.h"

#include <stdio.h>
#include <string.h>

/* ====================== compiling ====================== */

typedef struct comp {
  int *aTokCons;        /* TOKEN node -> its constraint (-1: not yet), so repetitions share it */
  int *aStrict;         /* STRUCT node -> its strict region slot (0: none) */
  ds_corpus *c;
  const ds_cql *t;
  cql_vm *vm;
  ds_error *e;
} comp;

static int nomem(comp *k) { return ds_error_set(k->e, DS_NOMEM, -1, "out of memory"); }

static int qerr(comp *k, size_t at, const char *zMsg) {
  return ds_error_set(k->e, DS_QUERY, (int64_t)at, "%s at position %zu", zMsg,
                      ds_cql_char_pos(ds_cql_str(k->t, 0), at));
}

/* Append an instruction: its index, or -1 (error set). */
static int emit(comp *k, int op, int x, int y, size_t at) {
  cql_vm *vm = k->vm;
  if (vm->nIns >= CQL_VM_MAX_PROGRAM) {
    qerr(k, at, "query too large once its repetitions are written out");
    return -1;
  }
  if (vm->nIns == vm->nInsAlloc) {
    int nNew = vm->nInsAlloc ? 2 * vm->nInsAlloc : 64;
    cql_ins *a = ds_realloc_n(vm->aIns, (size_t)nNew, sizeof *a);
    if (!a) return nomem(k), -1;
    vm->aIns = a;
    vm->nInsAlloc = nNew;
  }
  vm->aIns[vm->nIns] = (cql_ins){op, x, y, -1};
  return vm->nIns++;
}

/* Append an instruction written from leaf node i (a token or a tag): DS_OK or -1. */
static int emit_leaf(comp *k, int op, int x, int y, int i) {
  int j = emit(k, op, x, y, ds_cql_at(k->t, i)->iStart);
  if (j < 0) return -1;
  k->vm->aIns[j].leaf = i;
  return DS_OK;
}

static int new_cons(comp *k) {
  cql_vm *vm = k->vm;
  if (vm->nCons == vm->nConsAlloc) {
    int nNew = vm->nConsAlloc ? 2 * vm->nConsAlloc : 16;
    cql_cons *a = ds_realloc_n(vm->aCons, (size_t)nNew, sizeof *a);
    if (!a) return nomem(k), -1;
    vm->aCons = a;
    vm->nConsAlloc = nNew;
  }
  memset(&vm->aCons[vm->nCons], 0, sizeof vm->aCons[0]);
  return vm->nCons++;
}

/* Constraint node i of the tree: its index in vm->aCons, or -1. */
static int compile_cons(comp *k, int i) {
  const ds_cql_node *x = ds_cql_at(k->t, i);
  int j = new_cons(k);
  if (j < 0) return -1;
  k->vm->aCons[j].eKind = x->eKind;
  if (x->eKind == DS_CQL_CMP) {
    k->vm->aCons[j].bNe = x->eOp == DS_CQL_NE;
    cql_idset set;
    if (cql_idset_resolve(k->c, x->iAttr, ds_cql_str(k->t, x->iValue), x->nValue, x->flags, &set,
                          ds_cql_str(k->t, 0), x->iStart, k->e))
      return -1;
    k->vm->aCons[j].set = set;
    return j;
  }
  if (x->eKind != DS_CQL_AND && x->eKind != DS_CQL_OR && x->eKind != DS_CQL_NOT)
    return qerr(k, x->iStart, "not a token constraint"), -1;
  int aKid[256], n = 0;
  for (int c = x->iChild; c >= 0; c = ds_cql_at(k->t, c)->iNext) {
    if (n == 256) return qerr(k, x->iStart, "too many operands"), -1;
    int y = compile_cons(k, c);
    if (y < 0) return -1;
    aKid[n++] = y;
  }
  cql_vm *vm = k->vm;
  if (vm->nKid + n > vm->nKidAlloc) {
    int nNew = (vm->nKidAlloc + n) * 2;
    int *a = ds_realloc_n(vm->aKid, (size_t)nNew, sizeof *a);
    if (!a) return nomem(k), -1;
    vm->aKid = a;
    vm->nKidAlloc = nNew;
  }
  vm->aCons[j].iKid = vm->nKid;
  vm->aCons[j].nKid = n;
  memcpy(vm->aKid + vm->nKid, aKid, (size_t)n * sizeof *aKid);
  vm->nKid += n;
  return j;
}

/* The index of structure node x in vm->aStruct (added on first use), or -1. */
static int struct_index(comp *k, int i) {
  const ds_cql_node *x = ds_cql_at(k->t, i);
  const char *zKind = ds_cql_str(k->t, x->iName);
  if (x->nName >= sizeof k->vm->aStruct[0].zKind) return qerr(k, x->iStart, "unknown structure"), -1;
  cql_vm *vm = k->vm;
  if (x->nChild == 0)
    for (int j = 0; j < vm->nStruct; j++)
      if (strcmp(vm->aStruct[j].zKind, zKind) == 0 && ds_cql_at(k->t, vm->aStruct[j].iNode)->nChild == 0)
        return j;
  cql_struct *a = ds_realloc_n(vm->aStruct, (size_t)(vm->nStruct + 1), sizeof *a);
  if (!a) return nomem(k), -1;
  vm->aStruct = a;
  memset(&a[vm->nStruct], 0, sizeof a[0]);
  snprintf(a[vm->nStruct].zKind, sizeof a[0].zKind, "%s", zKind);
  a[vm->nStruct].iNode = i;
  return vm->nStruct++;
}

static int compile_node(comp *k, int i);

/* Child 0 of node x, n times in a row. */
static int compile_times(comp *k, int iChild, int n) {
  for (int r = 0; r < n; r++)
    if (compile_node(k, iChild)) return -1;
  return DS_OK;
}

static int compile_node(comp *k, int i) {
  const ds_cql_node *x = ds_cql_at(k->t, i);
  cql_vm *vm = k->vm;
  switch (x->eKind) {
  case DS_CQL_SEQ:
    for (int c = x->iChild; c >= 0; c = ds_cql_at(k->t, c)->iNext)
      if (compile_node(k, c)) return -1;
    return DS_OK;
  case DS_CQL_TOKEN:
    if (x->iChild < 0) return emit_leaf(k, CQL_ANY, 0, 0, i);
    else {
      int j = k->aTokCons[i] >= 0 ? k->aTokCons[i] : compile_cons(k, x->iChild);
      if (j >= 0) k->aTokCons[i] = j;
      return j < 0 ? -1 : emit_leaf(k, CQL_TOK, j, 0, i);
    }
  case DS_CQL_LABEL:
    if (emit(k, CQL_LABEL, x->nMin + 1, 0, x->iStart) < 0) return -1;
    return compile_node(k, x->iChild);
  case DS_CQL_STRUCT: {
    if (x->eOp == DS_CQL_SPAN) return qerr(k, x->iStart, "a whole span <kind/> stands alone (with containing)");
    int j = struct_index(k, i);
    if (j < 0) return -1;
    return emit_leaf(k, x->eOp == DS_CQL_OPEN ? CQL_OPEN : CQL_CLOSE, j, k->aStrict[i], i);
  }
  case DS_CQL_ALT: {
    /* SPLIT a, next; a: child; JMP end; next: SPLIT ... ; the last child has no SPLIT */
    int aJmp[1024], nJmp = 0;
    for (int c = x->iChild; c >= 0; c = ds_cql_at(k->t, c)->iNext) {
      int split = -1;
      if (ds_cql_at(k->t, c)->iNext >= 0 && (split = emit(k, CQL_SPLIT, vm->nIns + 1, 0, x->iStart)) < 0)
        return -1;
      if (compile_node(k, c)) return -1;
      if (ds_cql_at(k->t, c)->iNext >= 0) {
        if (nJmp == 1024) return qerr(k, x->iStart, "too many alternatives"), -1;
        if ((aJmp[nJmp++] = emit(k, CQL_JMP, 0, 0, x->iStart)) < 0) return -1;
        vm->aIns[split].y = vm->nIns;
      }
    }
    for (int j = 0; j < nJmp; j++) vm->aIns[aJmp[j]].x = vm->nIns;
    return DS_OK;
  }
  case DS_CQL_REPEAT: {
    if (compile_times(k, x->iChild, x->nMin)) return -1;
    if (x->nMax < 0) {                      /* L: SPLIT body, end; body; JMP L */
      int l = emit(k, CQL_SPLIT, vm->nIns + 1, 0, x->iStart);
      if (l < 0 || compile_node(k, x->iChild) || emit(k, CQL_JMP, l, 0, x->iStart) < 0) return -1;
      vm->aIns[l].y = vm->nIns;
      return DS_OK;
    }
    int aSplit[DS_CQL_MAX_REPEAT + 1], n = x->nMax - x->nMin;
    for (int r = 0; r < n; r++) {           /* SPLIT body, end; body; SPLIT body, end; ... */
      if ((aSplit[r] = emit(k, CQL_SPLIT, vm->nIns + 1, 0, x->iStart)) < 0) return -1;
      if (compile_node(k, x->iChild)) return -1;
    }
    for (int r = 0; r < n; r++) vm->aIns[aSplit[r]].y = vm->nIns;
    return DS_OK;
  }
  default:
    return qerr(k, x->iStart, "this construct cannot stand in a sequence"), -1;
  }
}

/* aIn[j] = 1 for the nodes of node i's subtree. */
static void mark_subtree(const ds_cql *t, int i, unsigned char *aIn) {
  aIn[i] = 1;
  for (int c = ds_cql_at(t, i)->iChild; c >= 0; c = ds_cql_at(t, c)->iNext) mark_subtree(t, c, aIn);
}

/*
** The strict regions of body iBody, as CQP pairs them (parse_actions.c, do_XMLTag): in the
** order tags are written (nodes are made in that order), a closing tag written after an
** opening tag of its kind is paired, whatever path either stands on. A kind so paired
** gets a slot (vm->aStrictSlot), which its opening tags set to their span's last token and
** its paired closing tags check and clear; while it is set no token past it is read.
** aStrict[node]: the slot (0: none). DS_OK, DS_NOMEM, or DS_LIMIT: more kinds paired than
** CQL_VM_MAX_STRICT (or opened than MAX_OPENED).
*/
static int pair_regions(const ds_cql *t, int iBody, int *aStrict, cql_vm *vm) {
  unsigned char *aIn = ds_malloc(t->nNode + 1);
  if (!aIn) return DS_NOMEM;
  memset(aIn, 0, t->nNode + 1);
  mark_subtree(t, iBody, aIn);
  enum { MAX_OPENED = 64 };
  const char *azKind[MAX_OPENED];
  int aFirstOpen[MAX_OPENED], aSlot[MAX_OPENED], n = 0, rc = DS_OK;
  for (int pass = 0; pass < 2 && rc == DS_OK; pass++)   /* the kinds paired, then their tags */
    for (size_t i = 0; i < t->nNode && rc == DS_OK; i++) {
      const ds_cql_node *x = ds_cql_at(t, (int)i);
      if (x->eKind != DS_CQL_STRUCT || x->eOp == DS_CQL_SPAN || !aIn[i]) continue;
      const char *zKind = ds_cql_str(t, x->iName);
      int j = 0;
      while (j < n && strcmp(azKind[j], zKind) != 0) j++;
      if (pass == 0 && x->eOp == DS_CQL_OPEN && j == n) {
        if (n == MAX_OPENED) rc = DS_LIMIT;
        else azKind[n] = zKind, aFirstOpen[n] = (int)i, aSlot[n++] = 0;
      } else if (pass == 0 && x->eOp == DS_CQL_CLOSE && j < n && aSlot[j] == 0) {
        if (vm->nStrict == CQL_VM_MAX_STRICT) rc = DS_LIMIT;
        else aSlot[j] = vm->nSlot++, vm->aStrictSlot[vm->nStrict++] = aSlot[j];
      } else if (pass == 1 && j < n && aSlot[j] && (x->eOp == DS_CQL_OPEN || (int)i > aFirstOpen[j])) {
        aStrict[i] = aSlot[j];
      }
    }
  ds_free(aIn);
  return rc;
}

/*
** The leaves a match can begin with into vm->aFirst: those reached from instruction 0
** through SPLIT, JMP and LABEL alone.
*/
static int first_leaves(cql_vm *vm) {
  int *aSeen = ds_malloc_n((size_t)vm->nIns, sizeof(int));
  int *aStack = ds_malloc_n(2 * (size_t)vm->nIns, sizeof(int));   /* an instruction leads to two at most */
  vm->aFirst = ds_malloc_n((size_t)vm->nIns, sizeof(int));
  if (!aSeen || !aStack || !vm->aFirst) {
    ds_free(aSeen);
    ds_free(aStack);
    return DS_NOMEM;
  }
  memset(aSeen, 0, (size_t)vm->nIns * sizeof(int));
  int nStack = 0;
  aStack[nStack++] = 0;
  while (nStack > 0) {
    int pc = aStack[--nStack];
    if (aSeen[pc]) continue;
    aSeen[pc] = 1;
    const cql_ins *in = &vm->aIns[pc];
    if (in->op == CQL_SPLIT) aStack[nStack++] = in->y, aStack[nStack++] = in->x;
    else if (in->op == CQL_JMP) aStack[nStack++] = in->x;
    else if (in->op == CQL_LABEL) aStack[nStack++] = pc + 1;
    else if (in->leaf >= 0) {
      int j = 0;
      while (j < vm->nFirst && vm->aFirst[j] != in->leaf) j++;
      if (j == vm->nFirst) vm->aFirst[vm->nFirst++] = in->leaf;
    }
  }
  ds_free(aSeen);
  ds_free(aStack);
  return DS_OK;
}

int cql_vm_compile(ds_corpus *c, const ds_cql *t, int iBody, cql_vm *vm, ds_error *e) {
  memset(vm, 0, sizeof *vm);
  vm->nSlot = 1 + (int)t->nLabel;
  vm->aNodeCons = ds_malloc_n(t->nNode + 1, sizeof(int));
  int *aStrict = ds_malloc_n(t->nNode + 1, sizeof(int));
  if (!vm->aNodeCons || !aStrict) {
    ds_free(aStrict);
    cql_vm_free(vm);
    return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  }
  for (size_t i = 0; i < t->nNode; i++) vm->aNodeCons[i] = -1, aStrict[i] = 0;
  comp k = {vm->aNodeCons, aStrict, c, t, vm, e};
  int rc = pair_regions(t, iBody, aStrict, vm);
  if (rc == DS_LIMIT) qerr(&k, ds_cql_at(t, iBody)->iStart, "more than 4 kinds of region opened and closed in one query");
  else if (rc) ds_error_set(e, DS_NOMEM, -1, "out of memory");
  else rc = compile_node(&k, iBody) || emit(&k, CQL_MATCH, 0, 0, 0) < 0;
  if (rc == 0 && first_leaves(vm)) rc = 1, ds_error_set(e, DS_NOMEM, -1, "out of memory");
  vm->nVar = 1;                               /* threads kept apart by their strict regions */
  for (int j = 0; j < vm->nStrict; j++) vm->nVar *= 3;
  if (rc == 0 && (size_t)vm->nIns * (size_t)vm->nVar > CQL_VM_MAX_PROGRAM)
    rc = 1, qerr(&k, 0, "query too large once its repetitions and paired regions are written out");
  ds_free(aStrict);
  if (rc) {
    cql_vm_free(vm);
    return e->code ? e->code : DS_NOMEM;
  }
  return DS_OK;
}

void cql_spantests_free(cql_spantest *a, int n) {
  for (int i = 0; i < n; i++) cql_regex_free(a[i].re);
  ds_free(a);
}

void cql_vm_free(cql_vm *vm) {
  for (int j = 0; j < vm->nCons; j++) cql_idset_free(&vm->aCons[j].set);
  for (int j = 0; j < vm->nStruct; j++) {
    ds_free(vm->aStruct[j].aDocOk);
    cql_spantests_free(vm->aStruct[j].aTest, vm->aStruct[j].nTest);
  }
  ds_free(vm->aIns);
  ds_free(vm->aCons);
  ds_free(vm->aKid);
  ds_free(vm->aStruct);
  ds_free(vm->aNodeCons);
  ds_free(vm->aFirst);
  memset(vm, 0, sizeof *vm);
}

/* ====================== matching ====================== */

int cql_vm_test(const cql_vm *vm, int i, const cql_reader *r, int64_t pos) {
  const cql_cons *k = &vm->aCons[i];
  switch (k->eKind) {
  case DS_CQL_CMP: {
    uint32_t id;
    int rc = r->xId(r->ctx, pos, k->set.attr, &id);
    if (rc) return -rc;
    return cql_idset_has(&k->set, id) != k->bNe;
  }
  case DS_CQL_NOT: {
    int v = cql_vm_test(vm, vm->aKid[k->iKid], r, pos);
    return v < 0 ? v : !v;
  }
  default: {                                /* AND, OR */
    int bAnd = k->eKind == DS_CQL_AND;
    for (int j = 0; j < k->nKid; j++) {
      int v = cql_vm_test(vm, vm->aKid[k->iKid + j], r, pos);
      if (v < 0) return v;
      if (v != bAnd) return v;
    }
    return bAnd;
  }
  }
}

static int run_room(cql_run *run, const cql_vm *vm) {
  size_t n = (size_t)vm->nIns * (size_t)vm->nVar;   /* an instruction once per variant */
  if (run->nAlloc >= n) return DS_OK;
  cql_run_free(run);
  size_t ns;                           /* slots of all instructions */
  if (ds_size_mul(n, (size_t)vm->nSlot, &ns)) return DS_NOMEM;
  for (int b = 0; b < 2; b++) {
    run->aPc[b] = ds_malloc_n(n, sizeof(int));
    run->aSlot[b] = ds_malloc_n(ns, sizeof(int64_t));
  }
  run->aSeen = ds_malloc_n(2 * n, sizeof(int));
  run->aStack = ds_malloc_n(2 * n, sizeof(int));          /* SPLITs reached pending and not */
  run->aStackSlot = ds_malloc_n(2 * ns, sizeof(int64_t));
  if (!run->aPc[0] || !run->aPc[1] || !run->aSlot[0] || !run->aSlot[1] || !run->aSeen ||
      !run->aStack || !run->aStackSlot)
    return DS_NOMEM;
  memset(run->aSeen, 0, 2 * n * sizeof(int));
  run->gen = 0;
  run->nAlloc = n;
  return DS_OK;
}

typedef struct vmstate {
  const cql_vm *vm;
  cql_run *run;
  const cql_reader *r;
  int64_t s;            /* the start */
  int64_t lim;          /* the region's end (tokens [s, lim)) */
  int bLongest;
  int first;            /* the leaf every path begins with (-1: any) */
  int64_t last;         /* the match found (-1: none) */
  int64_t *aBest;       /* its slots */
  int bDone;            /* shortest: found */
} vmstate;

/*
** Which of vm->nVar variants the strict regions of slots sl at position pos make a thread:
** per region unset, closing at pos - 1, or open past pos. Threads at one instruction and
** position differ in what they may match only so, where one span of a kind holds pos (the
** structures: s, p, doc ...), and are kept apart by it.
*/
static size_t variant(const cql_vm *vm, const int64_t *sl, int64_t pos) {
  size_t v = 0;
  for (int j = vm->nStrict - 1; j >= 0; j--) {
    int64_t last = sl[vm->aStrictSlot[j]];
    v = 3 * v + (last < 0 ? 0 : last == pos - 1 ? 1 : 2);
  }
  return v;
}

/* Is pos past a strict region the slots sl hold open? */
static int past_region(const cql_vm *vm, const int64_t *sl, int64_t pos) {
  for (int j = 0; j < vm->nStrict; j++) {
    int64_t last = sl[vm->aStrictSlot[j]];
    if (last >= 0 && pos > last) return 1;
  }
  return 0;
}

/*
** Add the thread (pc, slots) at position pos to list b, following SPLIT, JMP, LABEL,
** OPEN, CLOSE and MATCH; each instruction at most once per list (run->gen). bPend: no leaf
** passed yet (the first must be st->first, if that is set; a closing tag first is not held
** to its region). SPLIT, JMP and LABEL are marked apart for such paths: a path that passed
** a leaf may come to them later. On the stack ~pc marks a pending path.
*/
static int add_thread(vmstate *st, int b, int pc, const int64_t *aSlot, int64_t pos, int bPend) {
  const cql_vm *vm = st->vm;
  cql_run *run = st->run;
  size_t ns = (size_t)vm->nSlot;
  int nStack = 0;
  run->aStack[nStack] = bPend ? ~pc : pc;
  memcpy(run->aStackSlot, aSlot, ns * sizeof *aSlot);
  nStack++;
  while (nStack > 0 && !st->bDone) {
    nStack--;
    pc = run->aStack[nStack];
    int pend = pc < 0;
    if (pend) pc = ~pc;
    int64_t sl[CQL_VM_MAX_SLOTS];          /* a copy: pushes reuse the stack's room */
    memcpy(sl, run->aStackSlot + (size_t)nStack * ns, ns * sizeof *sl);
    for (;;) {
      const cql_ins *in = &vm->aIns[pc];
      if (pend && in->leaf >= 0 && st->first >= 0 && in->leaf != st->first) break;
      /* a leaf allowed leads where it leads passed or pending: one mark */
      size_t at = (size_t)pc + (vm->nStrict ? (size_t)vm->nIns * variant(vm, sl, pos) : 0);
      int *pSeen = &run->aSeen[pend && in->leaf < 0 ? run->nAlloc + at : at];
      if (*pSeen == run->gen) break;
      *pSeen = run->gen;
      if (in->op == CQL_JMP) { pc = in->x; continue; }
      if (in->op == CQL_SPLIT) {             /* y later, x now */
        run->aStack[nStack] = pend ? ~in->y : in->y;
        memcpy(run->aStackSlot + (size_t)nStack * ns, sl, ns * sizeof *sl);
        nStack++;
        pc = in->x;
        continue;
      }
      if (in->op == CQL_LABEL) { sl[in->x] = pos; pc++; continue; }
      if (in->op == CQL_OPEN || in->op == CQL_CLOSE) {
        /* as CQP: an opening tag is looked at on the token it stands before, which must be
           in the region too (`X <s> within s` never holds at a sentence's last X); a
           closing tag on the token before it */
        if (in->op == CQL_OPEN && pos >= st->lim) break;
        if (vm->nStrict && past_region(vm, sl, in->op == CQL_OPEN ? pos : pos - 1)) break;
        int64_t last = -1;
        int v = st->r->xStruct(st->r->ctx, in->x, pos, in->op == CQL_OPEN, &last);
        if (v < 0) return -v;
        if (!v) break;
        if (in->y && in->op == CQL_OPEN) sl[in->y] = last;      /* a strict region opens */
        else if (in->y) {                  /* and must close here (unless the match begins so) */
          if (!pend && sl[in->y] != pos - 1) break;
          sl[in->y] = -1;
        }
        pend = 0;
        pc++;
        continue;
      }
      if (in->op == CQL_MATCH) {
        if (pos > st->s && pos - 1 > st->last) {   /* a longer match (or the first) */
          int v = st->r->xGlobal ? st->r->xGlobal(st->r->ctx, st->s, pos - 1, sl) : 1;
          if (v < 0) return -v;
          if (v) {
            st->last = pos - 1;
            if (st->aBest) memcpy(st->aBest, sl, ns * sizeof *sl);
            if (!st->bLongest) st->bDone = 1;
          }
        }
        break;
      }
      int n = run->n[b]++;                   /* TOK, ANY: waits for the token at pos */
      run->aPc[b][n] = pc;
      memcpy(run->aSlot[b] + (size_t)n * ns, sl, ns * sizeof *sl);
      break;
    }
  }
  return DS_OK;
}

int cql_vm_run(const cql_vm *vm, cql_run *run, const cql_reader *r, int64_t s, int64_t lim,
               int bLongest, int first, int64_t *pLast, int64_t *aSlot, int *pbCut, ds_error *e) {
  *pLast = -1;
  *pbCut = 0;
  if (vm->bEmpty) return DS_OK;
  if (run_room(run, vm)) return ds_error_set(e, DS_NOMEM, -1, "out of memory");
  size_t ns = (size_t)vm->nSlot;
  int64_t aInit[CQL_VM_MAX_SLOTS];
  for (size_t j = 0; j < ns; j++) aInit[j] = -1;
  vmstate st = {vm, run, r, s, lim, bLongest, first, -1, aSlot, 0};
  int b = 0, rc;
  run->n[0] = run->n[1] = 0;
  run->gen++;
  rc = add_thread(&st, b, 0, aInit, s, 1);
  for (int64_t pos = s; rc == DS_OK && !st.bDone && run->n[b] > 0; pos++) {
    if (pos >= lim) {
      *pbCut = 1;
      break;
    }
    if (ds_interrupt_due(&run->nTick, 63)) {  /* a long thread list: Ctrl-C within ~1 ms */
      rc = ds_interrupt_error(e);
      break;
    }
    int nb = 1 - b;
    run->n[nb] = 0;
    run->gen++;
    for (int j = 0; j < run->n[b] && rc == DS_OK && !st.bDone; j++) {
      const cql_ins *in = &vm->aIns[run->aPc[b][j]];
      if (vm->nStrict && past_region(vm, run->aSlot[b] + (size_t)j * ns, pos)) continue;
      int v = in->op == CQL_ANY ? 1 : cql_vm_test(vm, in->x, r, pos);
      if (v < 0) rc = -v;
      else if (v) rc = add_thread(&st, nb, run->aPc[b][j] + 1, run->aSlot[b] + (size_t)j * ns, pos + 1, 0);
    }
    b = nb;
  }
  if (run->gen > 1000000000) {             /* keep the marks from wrapping */
    memset(run->aSeen, 0, 2 * run->nAlloc * sizeof(int));
    run->gen = 0;
  }
  if (rc) return e->code ? rc : ds_error_set(e, rc, -1, "reading the token stream failed");
  *pLast = st.last;
  return DS_OK;
}

void cql_run_free(cql_run *run) {
  for (int b = 0; b < 2; b++) {
    ds_free(run->aPc[b]);
    ds_free(run->aSlot[b]);
  }
  ds_free(run->aSeen);
  ds_free(run->aStack);
  ds_free(run->aStackSlot);
  memset(run, 0, sizeof *run);
}
