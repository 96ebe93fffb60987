// KlaxonSyncEngine: the provisioning agent (source readers, scoping, matching, diff, SCIM client, state).
// Filled by the sync-engine issue.
import KlaxonMapping
import SCIM
