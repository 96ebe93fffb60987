// KlaxonServer: the HTTP service (SCIM routes, per-organisation token auth, profile mapping, admin UI).
// Filled by the server issue.
import KlaxonDirectory
import KlaxonMapping
import SCIM
