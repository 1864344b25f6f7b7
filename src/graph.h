/*
 * State machine diagrams (`wfgen graph`): Mermaid flowcharts and Graphviz DOT with
 * start/end markers, a shape per state type, Choice rules as edge labels, Catch edges
 * dashed, Retry noted on the node, and Parallel branches / Map processors as clusters.
 */
#ifndef WFGEN_GRAPH_H
#define WFGEN_GRAPH_H

#include "base/strbuf.h"

#include <jansson.h>

enum graph_format { GRAPH_MERMAID, GRAPH_DOT };

/* Parses "mermaid" or "dot"; returns -1 for anything else. */
int graph_format_parse(const char *name, enum graph_format *out);

/*
 * Appends the diagram of the state machine `asl` (borrowed; JSONPath or JSONata) to
 * `out`. States are numbered and drawn in definition order, so the same definition
 * always gives the same text. `title` names the DOT graph (Mermaid ignores it).
 * Meant for validated definitions: an edge to a state missing from its scope, or a
 * malformed field, is left out rather than reported. Returns 0, or -1 (nothing
 * appended) when `asl` has no "States" object.
 */
int graph_render(const json_t *asl, enum graph_format fmt, const char *title,
                 struct strbuf *out);

/*
 * The compact text of one Choice rule (borrowed), e.g. `$.status == "done"`,
 * `$.n >= 3 and not ($.skip is present)`, or a JSONata Condition without its
 * {% %}. Whitespace runs become one space; text beyond GRAPH_LABEL_MAX characters is
 * cut with "...". Returns a new string ("?" for a rule it cannot read).
 */
char *graph_rule_text(const json_t *rule);

#define GRAPH_LABEL_MAX 100

#endif
