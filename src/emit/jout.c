/* Canonical JSON writer; see jout.h. */
#include "emit/jout.h"

#include "base/strbuf.h"
#include "base/xalloc.h"

#include <stdlib.h>

#define JOUT_PRETTY  (JSON_INDENT(2) | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY)
#define JOUT_COMPACT (JSON_COMPACT | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY)

static int add_chunk(const char *buf, size_t size, void *data)
{
    strbuf_add(data, buf, size);
    return 0;
}

char *jout_dump(const json_t *v, size_t *len)
{
    struct strbuf sb = STRBUF_INIT;
    if (json_dump_callback(v, add_chunk, &sb, JOUT_PRETTY))
        BUG("json_dump_callback failed");
    strbuf_addch(&sb, '\n');
    return strbuf_detach(&sb, len);
}

char *jout_compact(const json_t *v)
{
    struct strbuf sb = STRBUF_INIT;
    if (json_dump_callback(v, add_chunk, &sb, JOUT_COMPACT))
        BUG("json_dump_callback failed");
    return strbuf_detach(&sb, NULL);
}

size_t jout_compact_size(const json_t *v)
{
    return json_dumpb(v, NULL, 0, JOUT_COMPACT);
}

void jout_print(const json_t *v, FILE *out)
{
    size_t len;
    char *s = jout_dump(v, &len);
    fwrite(s, 1, len, out);
    free(s);
}
