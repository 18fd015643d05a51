#!/usr/bin/env python3
"""Generates src/syntax/ast_gen.h and ast_tables.h: the AST node table (kinds, C structs, field descriptors).

This list is the one place where node kinds and their fields are written down; it follows
CPython's Parser/Python.asdl for 3.14, with the version each field or node appeared in so that
the JSON dump can reproduce older versions' field sets. Run: python3 tools/gen_ast.py
"""
import os

# field kinds: node (required child), opt (child or None), list, ident (str), opt_ident
# (str or None), const (Constant.value), int
N, O, L, I, OI, C, INT = "node", "opt", "list", "ident", "opt_ident", "const", "int"

# (name, has_position_attributes, [(kind, field, since_minor)], since_minor)
NODES = [
    ("Module", 0, [(L, "body"), (L, "type_ignores")]),
    ("Interactive", 0, [(L, "body")]),
    ("Expression", 0, [(N, "body")]),
    # statements
    ("FunctionDef", 1, [(I, "name"), (N, "args"), (L, "body"), (L, "decorator_list"), (O, "returns"),
                        (OI, "type_comment"), (L, "type_params", 12)]),
    ("AsyncFunctionDef", 1, [(I, "name"), (N, "args"), (L, "body"), (L, "decorator_list"), (O, "returns"),
                             (OI, "type_comment"), (L, "type_params", 12)]),
    ("ClassDef", 1, [(I, "name"), (L, "bases"), (L, "keywords"), (L, "body"), (L, "decorator_list"),
                     (L, "type_params", 12)]),
    ("Return", 1, [(O, "value")]),
    ("Delete", 1, [(L, "targets")]),
    ("Assign", 1, [(L, "targets"), (N, "value"), (OI, "type_comment")]),
    ("TypeAlias", 1, [(N, "name"), (L, "type_params"), (N, "value")], 12),
    ("AugAssign", 1, [(N, "target"), (N, "op"), (N, "value")]),
    ("AnnAssign", 1, [(N, "target"), (N, "annotation"), (O, "value"), (INT, "simple")]),
    ("For", 1, [(N, "target"), (N, "iter"), (L, "body"), (L, "orelse"), (OI, "type_comment")]),
    ("AsyncFor", 1, [(N, "target"), (N, "iter"), (L, "body"), (L, "orelse"), (OI, "type_comment")]),
    ("While", 1, [(N, "test"), (L, "body"), (L, "orelse")]),
    ("If", 1, [(N, "test"), (L, "body"), (L, "orelse")]),
    ("With", 1, [(L, "items"), (L, "body"), (OI, "type_comment")]),
    ("AsyncWith", 1, [(L, "items"), (L, "body"), (OI, "type_comment")]),
    ("Match", 1, [(N, "subject"), (L, "cases")]),
    ("Raise", 1, [(O, "exc"), (O, "cause")]),
    ("Try", 1, [(L, "body"), (L, "handlers"), (L, "orelse"), (L, "finalbody")]),
    ("TryStar", 1, [(L, "body"), (L, "handlers"), (L, "orelse"), (L, "finalbody")]),
    ("Assert", 1, [(N, "test"), (O, "msg")]),
    ("Import", 1, [(L, "names")]),
    ("ImportFrom", 1, [(OI, "module"), (L, "names"), (INT, "level")]),
    ("Global", 1, [(L, "names")]),
    ("Nonlocal", 1, [(L, "names")]),
    ("Expr", 1, [(N, "value")]),
    ("Pass", 1, []),
    ("Break", 1, []),
    ("Continue", 1, []),
    # expressions
    ("BoolOp", 1, [(N, "op"), (L, "values")]),
    ("NamedExpr", 1, [(N, "target"), (N, "value")]),
    ("BinOp", 1, [(N, "left"), (N, "op"), (N, "right")]),
    ("UnaryOp", 1, [(N, "op"), (N, "operand")]),
    ("Lambda", 1, [(N, "args"), (N, "body")]),
    ("IfExp", 1, [(N, "test"), (N, "body"), (N, "orelse")]),
    ("Dict", 1, [(L, "keys"), (L, "values")]),
    ("Set", 1, [(L, "elts")]),
    ("ListComp", 1, [(N, "elt"), (L, "generators")]),
    ("SetComp", 1, [(N, "elt"), (L, "generators")]),
    ("DictComp", 1, [(N, "key"), (N, "value"), (L, "generators")]),
    ("GeneratorExp", 1, [(N, "elt"), (L, "generators")]),
    ("Await", 1, [(N, "value")]),
    ("Yield", 1, [(O, "value")]),
    ("YieldFrom", 1, [(N, "value")]),
    ("Compare", 1, [(N, "left"), (L, "ops"), (L, "comparators")]),
    ("Call", 1, [(N, "func"), (L, "args"), (L, "keywords")]),
    ("FormattedValue", 1, [(N, "value"), (INT, "conversion"), (O, "format_spec")]),
    ("Interpolation", 1, [(N, "value"), (I, "str"), (INT, "conversion"), (O, "format_spec")], 14),
    ("JoinedStr", 1, [(L, "values")]),
    ("TemplateStr", 1, [(L, "values")], 14),
    ("Constant", 1, [(C, "value"), (OI, "kind")]),
    ("Attribute", 1, [(N, "value"), (I, "attr"), (N, "ctx")]),
    ("Subscript", 1, [(N, "value"), (N, "slice"), (N, "ctx")]),
    ("Starred", 1, [(N, "value"), (N, "ctx")]),
    ("Name", 1, [(I, "id"), (N, "ctx")]),
    ("List", 1, [(L, "elts"), (N, "ctx")]),
    ("Tuple", 1, [(L, "elts"), (N, "ctx")]),
    ("Slice", 1, [(O, "lower"), (O, "upper"), (O, "step")]),
    # singletons: contexts and operators
    ("Load", 0, []), ("Store", 0, []), ("Del", 0, []),
    ("And", 0, []), ("Or", 0, []),
    ("Add", 0, []), ("Sub", 0, []), ("Mult", 0, []), ("MatMult", 0, []), ("Div", 0, []), ("Mod", 0, []),
    ("Pow", 0, []), ("LShift", 0, []), ("RShift", 0, []), ("BitOr", 0, []), ("BitXor", 0, []),
    ("BitAnd", 0, []), ("FloorDiv", 0, []),
    ("Invert", 0, []), ("Not", 0, []), ("UAdd", 0, []), ("USub", 0, []),
    ("Eq", 0, []), ("NotEq", 0, []), ("Lt", 0, []), ("LtE", 0, []), ("Gt", 0, []), ("GtE", 0, []),
    ("Is", 0, []), ("IsNot", 0, []), ("In", 0, []), ("NotIn", 0, []),
    # the rest
    ("comprehension", 0, [(N, "target"), (N, "iter"), (L, "ifs"), (INT, "is_async")]),
    ("ExceptHandler", 1, [(O, "type"), (OI, "name"), (L, "body")]),
    ("arguments", 0, [(L, "posonlyargs"), (L, "args"), (O, "vararg"), (L, "kwonlyargs"), (L, "kw_defaults"),
                      (O, "kwarg"), (L, "defaults")]),
    ("arg", 1, [(I, "arg"), (O, "annotation"), (OI, "type_comment")]),
    ("keyword", 1, [(OI, "arg"), (N, "value")]),
    ("alias", 1, [(I, "name"), (OI, "asname")]),
    ("withitem", 0, [(N, "context_expr"), (O, "optional_vars")]),
    ("match_case", 0, [(N, "pattern"), (O, "guard"), (L, "body")]),
    ("MatchValue", 1, [(N, "value")]),
    ("MatchSingleton", 1, [(C, "value")]),
    ("MatchSequence", 1, [(L, "patterns")]),
    ("MatchMapping", 1, [(L, "keys"), (L, "patterns"), (OI, "rest")]),
    ("MatchClass", 1, [(N, "cls"), (L, "patterns"), (L, "kwd_attrs"), (L, "kwd_patterns")]),
    ("MatchStar", 1, [(OI, "name")]),
    ("MatchAs", 1, [(O, "pattern"), (OI, "name")]),
    ("MatchOr", 1, [(L, "patterns")]),
    ("TypeIgnore", 0, [(INT, "lineno"), (I, "tag")]),
    ("TypeVar", 1, [(I, "name"), (O, "bound"), (O, "default_value", 13)], 12),
    ("ParamSpec", 1, [(I, "name"), (O, "default_value", 13)], 12),
    ("TypeVarTuple", 1, [(I, "name"), (O, "default_value", 13)], 12),
    # a list of strings (Global/Nonlocal names, MatchClass kwd_attrs) holds these
    ("_Identifier", 0, [(I, "value")]),
]

CTYPE = {N: "AstNode *", O: "AstNode *", L: "AstList *", I: "Str ", OI: "Str ", C: "AstConst ", INT: "int "}
FKIND = {N: "AF_NODE", O: "AF_OPT", L: "AF_LIST", I: "AF_IDENT", OI: "AF_OPT_IDENT", C: "AF_CONST", INT: "AF_INT"}


def main():
    out = []
    w = out.append
    w("/* ast_gen.h - GENERATED by tools/gen_ast.py from its node table; do not edit by hand. */")
    w("#ifndef GLINTEFY_AST_GEN_H")
    w("#define GLINTEFY_AST_GEN_H")
    w("")
    w("typedef enum AstKind {")
    for node in NODES:
        w("    AST_%s," % node[0])
    w("    AST__COUNT")
    w("} AstKind;")
    w("")
    w("#define AST_NODE_UNION \\")
    w("    union { \\")
    for node in NODES:
        name, attrs, fields = node[0], node[1], node[2]
        if not fields:
            continue
        w("        struct { %s } %s; \\" % (" ".join("%s%s;" % (CTYPE[f[0]], f[1]) for f in fields), name))
    w("    }")
    w("")
    w("#endif")
    path = os.path.join(os.path.dirname(__file__), "..", "src", "syntax", "ast_gen.h")
    with open(path, "w") as fp:
        fp.write("\n".join(out) + "\n")
    out.clear()
    w("/* ast_tables.h - GENERATED by tools/gen_ast.py: field and kind tables, included by ast.c. */")
    w("static const AstFieldDesc ast_field_table[] = {")
    starts = []
    idx = 0
    for node in NODES:
        name, attrs, fields = node[0], node[1], node[2]
        starts.append(idx)
        for f in fields:
            since = f[2] if len(f) > 2 else 0
            w('    {"%s", %s, %d, offsetof(AstNode, v.%s.%s)},' % (f[1], FKIND[f[0]], since, name, f[1]))
            idx += 1
    w("    {NULL, 0, 0, 0}")
    w("};")
    w("static const AstKindDesc ast_kind_table[] = {")
    for node, start in zip(NODES, starts):
        name, attrs, fields = node[0], node[1], node[2]
        since = node[3] if len(node) > 3 else 0
        w('    {"%s", %d, %d, %d, %d},' % (name, attrs, start, len(fields), since))
    w("};")
    w("/* Bytes to allocate for a node of each kind: the header and its own fields only. */")
    w("static const unsigned short ast_node_size[AST__COUNT] = {")
    for node in NODES:
        if node[2]:
            w("    [AST_%s] = offsetof(AstNode, v) + sizeof(((AstNode *)0)->v.%s)," % (node[0], node[0]))
        else:
            w("    [AST_%s] = offsetof(AstNode, v)," % node[0])
    w("};")
    w("static AstNode ast_singleton_table[AST__COUNT] = {")
    for node in NODES:
        if not node[2]:
            w("    [AST_%s] = {.kind = AST_%s}," % (node[0], node[0]))
    w("};")
    path = os.path.join(os.path.dirname(__file__), "..", "src", "syntax", "ast_tables.h")
    with open(path, "w") as fp:
        fp.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
