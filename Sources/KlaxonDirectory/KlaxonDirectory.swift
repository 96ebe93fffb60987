// KlaxonDirectory: persistence behind one `Directory` protocol (organisations, tokens, users, groups,
// memberships, locations, activity) with SQLite and PostgreSQL backends. Filled by the server issue.
import SCIM
