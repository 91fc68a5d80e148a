/* invariants.h - server-side invariant checks over the ground-truth ledger (SIM-04).
 *
 * A pure function of the ledger, so it can be tested on hand-written ledgers:
 *   DUAL_ATTACH       an ATTACH while another agent is attached (or the mock's own DUAL_ATTACH)
 *   SILENT_DROP       every SILENT_DROP entry (REJ-03)
 *   PHANTOM_ACCEPT    every PHANTOM_ATTACH entry (ACC-06)
 *   DUPLICATE_CONTACT a CREATED entry whose business key (externalId, or the injected body's
 *                     digest "businessKey") was created before
 *   LOST_CONTACT      an interaction that went Ended without ever being attached to an agent,
 *                     except when the customer hung up (cause admin_end)
 *   UNKNOWN_DISPOSITION every UNKNOWN_DISPOSITION entry: a reject's reason stored as Unknown
 *                     (REJ-02)
 *   ATTRIBUTE_LOSS    a contact with an IGNORED_ATTRIBUTE or TRUNCATED_ATTRIBUTE entry, once
 *                     per contact (INJ-04)
 * Result: {"entries":N,"checks":{NAME:{"count":N,"examples":[entry,...]}}}, at most 5 examples
 * each, in ledger order.
 */
#ifndef INVARIANTS_H
#define INVARIANTS_H

#include <jansson.h>

#include "ledger.h"

json_t *cxm_invariants(struct cxm_ledger *l);

#endif
