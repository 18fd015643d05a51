/* facts_hook.c - the rv_parse_all hook that extracts a file's facts while its tree is alive. */
#include "facts_hook.h"
#include <stdlib.h>
#include <string.h>

static int cmp_src_path(const void *key, const void *item) {
    return strcmp((const char *)key, ((const RvSource *)item)->path);
}

void rv_facts_hook(RvParsed *f, void *vctx) {
    RvFactsCtx *c = vctx;
    if (!f->root) return;
    const RvSource *s = bsearch(f->path, c->src->items, c->src->len, sizeof *c->src->items, cmp_src_path);
    if (!s) return;
    size_t i = (size_t)(s - c->src->items);
    an_file_facts_src(&c->files[i], f->root, f->path, f->module, f->data, f->len);
    c->done[i] = 1;
}
