"""python-scim's scim2-server as an ASGI app, for `uvicorn scim2_server_app:app`: the peer figures of
scripts/benchmark-server.sh. In-memory storage, default schemas, no authentication (loopback only)."""

import secrets

from scim2_models import ScimProvider
from scim2_server.applications.asgi import ASGIApplication
from scim2_server.memory import AsyncInMemoryStorage
from scim2_server.service import ScimService
from scim2_server.utils import load_default_resource_types
from scim2_server.utils import load_default_schemas
from scim2_server.utils import load_default_service_provider_config

provider = ScimProvider.from_discovery(
    load_default_schemas().values(),
    load_default_resource_types().values(),
    config=load_default_service_provider_config(),
)
app = ASGIApplication(AsyncInMemoryStorage(), provider, service=ScimService(provider, secret=secrets.token_urlsafe(32)))
