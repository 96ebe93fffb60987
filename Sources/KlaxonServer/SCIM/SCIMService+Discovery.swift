import SCIM

extension SCIMService {
    /// `GET /ServiceProviderConfig`.
    func serviceProviderConfig(_ request: SCIMRequest) throws(SCIMError) -> SCIMReply {
        try Self.refuseFilter(request)
        let config = ServiceProviderConfig(bulk: limits.bulk, list: limits.list)
        return SCIMReply(status: 200, body: config.json(baseURL: request.baseURL))
    }

    /// `GET /ResourceTypes`.
    func resourceTypes(_ request: SCIMRequest) throws(SCIMError) -> SCIMReply {
        try Self.refuseFilter(request)
        return SCIMReply(status: 200, body: ListResponse.resourceTypes(of: registry, baseURL: request.baseURL).json)
    }

    /// `GET /ResourceTypes/{id}`.
    func resourceType(id: String, _ request: SCIMRequest) throws(SCIMError) -> SCIMReply {
        try Self.refuseFilter(request)
        guard let type = registry.resourceType(id: id) else { throw .notFound("no resource type \(id)") }
        return SCIMReply(status: 200, body: type.json(location: "\(request.baseURL)/ResourceTypes"))
    }

    /// `GET /Schemas`.
    func schemas(_ request: SCIMRequest) throws(SCIMError) -> SCIMReply {
        try Self.refuseFilter(request)
        return SCIMReply(status: 200, body: ListResponse.schemas(of: registry, baseURL: request.baseURL).json)
    }

    /// `GET /Schemas/{urn}`.
    func schema(id: String, _ request: SCIMRequest) throws(SCIMError) -> SCIMReply {
        try Self.refuseFilter(request)
        guard let schema = registry.schema(id: id) else { throw .notFound("no schema \(id)") }
        return SCIMReply(status: 200, body: schema.json(location: "\(request.baseURL)/Schemas"))
    }

    /// RFC 7644 §4: the discovery endpoints ignore query parameters, except that a filter is refused with 403, so
    /// that a client cannot take the whole list for the entries that match.
    private static func refuseFilter(_ request: SCIMRequest) throws(SCIMError) {
        guard request.parameter("filter") != nil else { return }
        throw SCIMError(.forbidden, nil, "the discovery endpoints cannot be filtered (RFC 7644 §4); read the whole list, it is short")
    }
}
