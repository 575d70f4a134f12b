/*
** cql_explain.c -- a query tree printed back as an S-expression (ds_cql_explain, ds_cql.h).
*/
#include "ds_cql.h"
#include "ds_store.h"

#include <stdio.h>
#include <string.h>

/* ====================== explaining ====================== */

const char *ds_cql_kind_name(int eKind) {
  static const char *const az[] = {"?", "seq", "token", "cmp", "and", "or", "not", "repeat",
                                   "alt", "struct", "within", "meta", "label", "refeq", "meet",
                                   "union"};
  return eKind > 0 && eKind <= DS_CQL_UNION ? az[eKind] : "?";
}

/* z[0..n) in double quotes, `"` and `\` escaped, control bytes as \xHH. */
static void put_quoted(ds_buf *out, const char *z, size_t n, char open, char close) {
  ds_buf_putc(out, open);
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)z[i];
    if (ch == (unsigned char)close || ch == '\\') {
      ds_buf_putc(out, '\\');
      ds_buf_putc(out, ch);
    } else if (ch < 0x20 || ch == 0x7F) {
      ds_buf_printf(out, "\\x%02X", ch);
    } else {
      ds_buf_putc(out, ch);
    }
  }
  ds_buf_putc(out, close);
}

/* A value: "literal" or /regex/, then its flags. */
static void put_value(const ds_cql *t, const ds_cql_node *x, ds_buf *out) {
  const char *z = ds_cql_str(t, x->iValue);
  if (x->flags & DS_CQL_LITERAL) put_quoted(out, z, x->nValue, '"', '"');
  else put_quoted(out, z, x->nValue, '/', '/');
  if (x->flags & DS_CQL_FOLD) ds_buf_puts(out, " %c");
  if (x->flags & DS_CQL_DIACR) ds_buf_puts(out, " %d");
}

static const char *op_name(int eOp) {
  switch (eOp) {
  case DS_CQL_EQ: return "=";
  case DS_CQL_NE: return "!=";
  case DS_CQL_OPEN: return "open";
  case DS_CQL_CLOSE: return "close";
  case DS_CQL_SPAN: return "span";
  case DS_CQL_LT: return "<";
  case DS_CQL_LE: return "<=";
  case DS_CQL_GT: return ">";
  case DS_CQL_GE: return ">=";
  default: return "?";
  }
}

/* Node i and its children; depth bounds the recursion (a tree is never that deep). */
static int explain_node(const ds_cql *t, int i, int flags, ds_buf *out, int depth) {
  if (i < 0 || (size_t)i >= t->nNode || depth > 10000) return DS_MISUSE;
  const ds_cql_node *x = &t->aNode[i];
  ds_buf_putc(out, '(');
  if (x->eKind == DS_CQL_CMP) ds_buf_puts(out, op_name(x->eOp));
  else ds_buf_puts(out, ds_cql_kind_name(x->eKind));
  if (flags & DS_CQL_EXPLAIN_OFFSETS) ds_buf_printf(out, " %zu:%zu", x->iStart, x->iEnd);
  switch (x->eKind) {
  case DS_CQL_CMP:
    if (x->nName) ds_buf_printf(out, " %s.", ds_cql_str(t, x->iName));
    else ds_buf_putc(out, ' ');
    ds_buf_printf(out, "%s ", ds_attr_name(x->iAttr) ? ds_attr_name(x->iAttr) : "?");
    put_value(t, x, out);
    break;
  case DS_CQL_REFEQ:
    ds_buf_printf(out, " %s %s.%s %s.%s", op_name(x->eOp), ds_cql_str(t, x->iName),
                  ds_attr_name(x->iAttr) ? ds_attr_name(x->iAttr) : "?", ds_cql_str(t, x->iName2),
                  ds_attr_name(x->iAttr2) ? ds_attr_name(x->iAttr2) : "?");
    break;
  case DS_CQL_MEET:
    if (x->nName) ds_buf_printf(out, " %s", ds_cql_str(t, x->iName));
    else ds_buf_printf(out, " %d %d", x->nMin, x->nMax);
    break;
  case DS_CQL_REPEAT:
    if (x->nMax < 0) ds_buf_printf(out, " %d inf", x->nMin);
    else ds_buf_printf(out, " %d %d", x->nMin, x->nMax);
    break;
  case DS_CQL_STRUCT:
    ds_buf_printf(out, " %s %s", op_name(x->eOp), ds_cql_str(t, x->iName));
    break;
  case DS_CQL_WITHIN:
  case DS_CQL_LABEL:
    ds_buf_printf(out, " %s", ds_cql_str(t, x->iName));
    break;
  case DS_CQL_META:
    ds_buf_printf(out, " %s %s ", ds_cql_str(t, x->iName), op_name(x->eOp));
    put_value(t, x, out);
    break;
  default:
    break;
  }
  for (int c = x->iChild; c >= 0; c = t->aNode[c].iNext) {
    ds_buf_putc(out, ' ');
    int rc = explain_node(t, c, flags, out, depth + 1);
    if (rc) return rc;
  }
  ds_buf_putc(out, ')');
  return DS_OK;
}

int ds_cql_explain(const ds_cql *t, int flags, ds_buf *out) {
  static const char *const azStrategy[] = {"standard", "shortest", "longest", "traditional"};
  int rc = explain_node(t, t->iRoot, flags, out, 0);
  if (rc == DS_OK && t->eStrategy) ds_buf_printf(out, " (strategy %s)", azStrategy[t->eStrategy & 3]);
  if (rc == DS_OK && t->iGlobal >= 0) {
    ds_buf_puts(out, " (global ");
    rc = explain_node(t, t->iGlobal, flags, out, 0);
    ds_buf_putc(out, ')');
  }
  if (rc == DS_OK && t->nWithin) ds_buf_printf(out, " (within %s)", ds_cql_str(t, t->iWithin));
  if (rc == DS_OK && t->nWithinTokens) ds_buf_printf(out, " (within %lld)", (long long)t->nWithinTokens);
  if (rc == DS_OK && t->iContaining >= 0) {
    ds_buf_puts(out, t->bNotContaining ? " (not-containing " : " (containing ");
    rc = explain_node(t, t->iContaining, flags, out, 0);
    ds_buf_putc(out, ')');
  }
  if (rc == DS_OK && t->nExpand) ds_buf_printf(out, " (expand %s)", ds_cql_str(t, t->iExpand));
  if (rc == DS_OK && t->nExpandTokens) ds_buf_printf(out, " (expand %lld)", (long long)t->nExpandTokens);
  return rc ? rc : out->rc ? DS_NOMEM : DS_OK;
}
