import SCIM

extension SCIMService {
    /// `GET /ServiceProviderConfig`.
    func serviceProviderConfig(_ request: SCIMRequest) -> SCIMReply {
        let config = ServiceProviderConfig(bulk: limits.bulk, list: limits.list)
        return SCIMReply(status: 200, body: config.json(baseURL: request.baseURL))
    }

    /// `GET /ResourceTypes`.
    func resourceTypes(_ request: SCIMRequest) -> SCIMReply {
        SCIMReply(status: 200, body: ListResponse.resourceTypes(of: registry, baseURL: request.baseURL).json)
    }

    /// `GET /ResourceTypes/{id}`.
    func resourceType(id: String, _ request: SCIMRequest) throws(SCIMError) -> SCIMReply {
        guard let type = registry.resourceType(id: id) else { throw .notFound("no resource type \(id)") }
        return SCIMReply(status: 200, body: type.json(location: "\(request.baseURL)/ResourceTypes"))
    }

    /// `GET /Schemas`.
    func schemas(_ request: SCIMRequest) -> SCIMReply {
        SCIMReply(status: 200, body: ListResponse.schemas(of: registry, baseURL: request.baseURL).json)
    }

    /// `GET /Schemas/{urn}`.
    func schema(id: String, _ request: SCIMRequest) throws(SCIMError) -> SCIMReply {
        guard let schema = registry.schema(id: id) else { throw .notFound("no schema \(id)") }
        return SCIMReply(status: 200, body: schema.json(location: "\(request.baseURL)/Schemas"))
    }
}
