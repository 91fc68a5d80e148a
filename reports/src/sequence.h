/* sequence.h - the picture of a race: a run's history and the mock's ledger as a sequence view,
 * one inline SVG for the HTML report (html.h).
 *
 * One lane per virtual user (and one for the setup's) holds its attempts, each a bar from its
 * send to its answer, labelled with what it was and what came back, its barrier waits and its
 * clock advances; the last lane holds the mock's ledger effects (an ACCEPT won or already
 * owned, an ATTACH, a SILENT_DROP, a DUPLICATE_REJECT...), each on the row just before the
 * answer of the request that caused it, joined to that request's lane. Rows run in the order
 * things happened: by the driver's clock, an effect by its request (effects of no request,
 * such as a ring timeout an advance set off, after the effect before them in the ledger). The
 * left column gives each row's time from the run's start and the mock clock's reading (the
 * last effect's `t`, relative to the first). What a violation names (its examples' requests,
 * a barrier that never filled) is drawn in red.
 *
 * The view reads DIR/history.jsonl and DIR/ledger.jsonl (written by a run against the
 * embedded mock). It is drawn for runs of up to SEQ_MAX_ATTEMPTS attempts; past that the page
 * says so instead. A missing history leaves it out; a missing ledger leaves the mock's lane
 * empty, with a note.
 */
#ifndef SEQUENCE_H
#define SEQUENCE_H

#include <jansson.h>
#include <stdio.h>

#define SEQ_MAX_ATTEMPTS 3000

/* The sequence section of run directory DIR, whose summary is SUMMARY, into F: an <h2>, a note
 * and an <svg class="chart sequence">, or a note on why there is none. Nothing when DIR is
 * NULL. */
void seq_html(FILE *f, const char *dir, const json_t *summary);

#endif
