// KlaxonMapping: mapping files (Mappings/*.yaml), the Entra expression language, the `Transformer` protocol and
// its registry, the mapping engine and the linter. Built on the SCIM core; no I/O beyond reading files.
import SCIM
