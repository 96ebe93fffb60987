public import KlaxonDirectory
public import SCIM

/// The SCIM 2.0 protocol over a ``Directory``: list, create, read, replace, patch and delete users and groups,
/// search, and bulk. HTTP-agnostic — the routes adapt requests to it, and `/Bulk` calls it per operation.
///
/// Every write is one directory transaction: a request that fails changes nothing.
public struct SCIMService: Sendable {
    /// The limits the service enforces and advertises in `/ServiceProviderConfig`.
    public struct Limits: Sendable {
        public var list: ListQuery.Limits
        public var bulk: BulkRequest.Limits

        public init(list: ListQuery.Limits = .default, bulk: BulkRequest.Limits = .default) {
            self.list = list
            self.bulk = bulk
        }
    }

    public let directory: any Directory
    public let registry: SchemaRegistry
    public let profiles: ProfileDeriver
    public let limits: Limits
    /// What a request without `attributes` or `excludedAttributes` returns, resolved once per resource type.
    private let defaultProjections: [ResourceKind: Projection]

    public init(directory: any Directory, registry: SchemaRegistry = .standard, profiles: ProfileDeriver, limits: Limits = Limits()) throws {
        self.directory = directory
        self.registry = registry
        self.profiles = profiles
        self.limits = limits
        var projections: [ResourceKind: Projection] = [:]
        for kind in ResourceKind.allCases {
            guard let schema = registry.resourceSchema(for: kind.rawValue) else {
                throw SCIMError(.internalServerError, nil, "the schema registry has no \(kind.rawValue) resource type")
            }
            projections[kind] = try Projection(attributes: nil, excludedAttributes: nil, for: schema)
        }
        self.defaultProjections = projections
    }

    func schema(for kind: ResourceKind) -> ResourceSchema {
        guard let schema = registry.resourceSchema(for: kind.rawValue) else {
            preconditionFailure("the registry has no \(kind.rawValue) resource type")
        }
        return schema
    }

    static func endpoint(_ kind: ResourceKind) -> String {
        kind == .user ? "Users" : "Groups"
    }

    // MARK: Create

    public func create(_ kind: ResourceKind, _ request: SCIMRequest) async throws -> SCIMReply {
        let body = try requireBody(request)
        let schema = schema(for: kind)
        let object = try ResourceValidator(schema).validate(body, mode: .create)
        let write: ResourceWrite
        if kind == .user {
            let profiles = self.profiles
            write = try ResourceWrite(object: object, locations: try await directory.locations(in: request.organisation.id)) { locations in
                profiles.profile(of: object, locations: locations)
            }
        } else {
            write = ResourceWrite(object: object)
        }
        let stored = try await directory.createResource(kind, in: request.organisation.id, write)
        let projection = try projection(for: kind, request)
        let location = resourceURL(kind, stored.id, request)
        return SCIMReply(
            status: 201, body: render(stored, baseURL: request.baseURL, projection: projection), etag: ETag(version: stored.version).description,
            location: location, resourceID: stored.id)
    }

    // MARK: Read

    public func read(_ kind: ResourceKind, id: String, _ request: SCIMRequest) async throws -> SCIMReply {
        let projection = try projection(for: kind, request)
        guard
            let stored = try await directory.resource(
                kind, id: id, in: request.organisation.id, includeMembers: includesMembers(kind, request))
        else { throw SCIMError.notFound("\(kind.rawValue) \(id) not found") }
        let etag = ETag(version: stored.version).description
        if let expected = try expectedVersion(request), !expected.admits(stored.version) {
            throw SCIMError(.preconditionFailed, nil, "the \(kind.rawValue) is at version \(stored.version), which If-Match does not name")
        }
        if let header = request.ifNoneMatch, try ETag.Condition(header: header).matches(version: stored.version) {
            return SCIMReply(status: 304, etag: etag, resourceID: stored.id)
        }
        return SCIMReply(
            status: 200, body: render(stored, baseURL: request.baseURL, projection: projection), etag: etag,
            resourceID: stored.id)
    }

    // MARK: List and search

    public func list(_ kind: ResourceKind, _ request: SCIMRequest) async throws -> SCIMReply {
        var parameters: [String: String] = [:]
        for (name, value) in request.query where parameters[name] == nil { parameters[name] = value }
        let query = try ListQuery(parameters: parameters, in: schema(for: kind), limits: limits.list)
        return try await list(kind, query, request)
    }

    /// `POST /Users/.search` and `/Groups/.search`: the query is in the body.
    public func search(_ kind: ResourceKind, _ request: SCIMRequest) async throws -> SCIMReply {
        let query = try SearchRequest.query(from: try requireBody(request), in: schema(for: kind), limits: limits.list)
        return try await list(kind, query, request)
    }

    func list(_ kind: ResourceKind, _ query: ListQuery, _ request: SCIMRequest) async throws -> SCIMReply {
        let schema = schema(for: kind)
        if let filter = query.filter {
            _ = try FilterEvaluator(filter, for: schema)  // rejects comparisons the schema forbids, before any read
        }
        let attributes = query.attributes.isEmpty ? nil : query.attributes
        let excluded = query.excludedAttributes.isEmpty ? nil : query.excludedAttributes
        let projection = try projection(for: kind, attributes: attributes, excluded: excluded)
        let page = try await directory.queryResources(
            kind, in: request.organisation.id,
            ResourceQuery(
                filter: query.filter, sortBy: query.sortBy, descending: query.sortOrder == .descending, startIndex: query.startIndex,
                count: query.count, includeMembers: Self.includesMembers(kind, attributes: attributes, excluded: excluded)))
        let resources = page.resources.map { render($0, baseURL: request.baseURL, projection: projection) }
        let response = ListResponse(totalResults: page.totalResults, startIndex: query.startIndex, resources: resources)
        return SCIMReply(status: 200, body: response.json)
    }

    // MARK: Replace

    public func replace(_ kind: ResourceKind, id: String, _ request: SCIMRequest) async throws -> SCIMReply {
        let body = try requireBody(request)
        let schema = schema(for: kind)
        let validator = ResourceValidator(schema)
        let locations = kind == .user ? try await directory.locations(in: request.organisation.id) : []
        let profiles = self.profiles
        let unless = try refusedVersions(request)
        let stored = try await directory.updateResource(
            kind, id: id, in: request.organisation.id, ifMatch: try expectedVersion(request), includeMembers: true
        ) { existing in
            try Self.check(existing, against: unless)
            let object = try validator.validate(body, mode: .replace(existing: existing.object))
            guard kind == .user else { return ResourceWrite(object: object) }
            return try ResourceWrite(object: object, locations: locations) { locations in
                profiles.profile(of: object, locations: locations, previous: existing.profile)
            }
        }
        let projection = try projection(for: kind, request)
        return SCIMReply(
            status: 200, body: render(stored, baseURL: request.baseURL, projection: projection),
            etag: ETag(version: stored.version).description, resourceID: id)
    }

    // MARK: Patch

    /// Applies a PatchOp. Users answer 200 with the resource; groups answer 204 (Entra's expectation, and it
    /// spares sending a large member list back) unless the request asks for attributes.
    public func patch(_ kind: ResourceKind, id: String, _ request: SCIMRequest) async throws -> SCIMReply {
        let schema = schema(for: kind)
        let patch = try PatchRequest(json: try requireBody(request), for: schema)
        let validator = ResourceValidator(schema)
        let ifMatch = try expectedVersion(request)
        let unless = try refusedVersions(request)
        let organisation = request.organisation.id
        let stored: StoredResource
        if kind == .group, let split = patch.splitMembership() {
            let others = split.others
            stored = try await directory.updateMembers(ofGroup: id, in: organisation, ifMatch: ifMatch, split.membership) { existing in
                try Self.check(existing, against: unless)
                guard !others.operations.isEmpty else { return ResourceWrite(object: existing.object) }
                let patched = try PatchApplier.apply(others, to: existing.object, for: schema)
                return ResourceWrite(object: try validator.validatePatched(patched))
            }
        } else {
            let locations = kind == .user ? try await directory.locations(in: organisation) : []
            let profiles = self.profiles
            stored = try await directory.updateResource(kind, id: id, in: organisation, ifMatch: ifMatch, includeMembers: true) { existing in
                try Self.check(existing, against: unless)
                let patched = try validator.validatePatched(try PatchApplier.apply(patch, to: existing.object, for: schema))
                guard kind == .user else { return ResourceWrite(object: patched) }
                return try ResourceWrite(object: patched, locations: locations) { locations in
                    profiles.profile(of: patched, locations: locations, previous: existing.profile)
                }
            }
        }
        let etag = ETag(version: stored.version).description
        let asked = request.parameter("attributes") != nil || request.parameter("excludedAttributes") != nil
        if kind == .group && !asked {
            return SCIMReply(status: 204, etag: etag, resourceID: id)
        }
        var current = stored
        if kind == .group, Self.includesMembers(kind, attributes: Projection.parseList(request.parameter("attributes")), excluded: Projection.parseList(request.parameter("excludedAttributes"))) {
            current = try await directory.resource(kind, id: id, in: organisation, includeMembers: true) ?? stored
        }
        return SCIMReply(
            status: 200, body: render(current, baseURL: request.baseURL, projection: try projection(for: kind, request)),
            etag: etag, resourceID: id)
    }

    // MARK: Delete

    public func delete(_ kind: ResourceKind, id: String, _ request: SCIMRequest) async throws -> SCIMReply {
        var ifMatch = try expectedVersion(request)
        if let unless = try refusedVersions(request) {
            // The version the condition was checked against is the one deleted, or the DELETE fails with 412.
            guard let stored = try await directory.resource(kind, id: id, in: request.organisation.id, includeMembers: false) else {
                throw SCIMError.notFound("\(kind.rawValue) \(id) not found")
            }
            try Self.check(stored, against: unless)
            if let ifMatch, !ifMatch.admits(stored.version) {
                throw SCIMError(.preconditionFailed, nil, "the \(kind.rawValue) is at version \(stored.version), which If-Match does not name")
            }
            ifMatch = ExpectedVersions([stored.version])
        }
        try await directory.deleteResource(kind, id: id, in: request.organisation.id, ifMatch: ifMatch)
        return SCIMReply(status: 204, resourceID: id)
    }

    // MARK: Helpers

    func requireBody(_ request: SCIMRequest) throws(SCIMError) -> JSONValue {
        guard let body = request.body else { throw .invalidSyntax("the request needs a JSON body") }
        return body
    }

    func projection(for kind: ResourceKind, _ request: SCIMRequest) throws(SCIMError) -> Projection {
        try projection(
            for: kind, attributes: Projection.parseList(request.parameter("attributes")),
            excluded: Projection.parseList(request.parameter("excludedAttributes")))
    }

    func projection(for kind: ResourceKind, attributes: [String]?, excluded: [String]?) throws(SCIMError) -> Projection {
        if attributes == nil, excluded == nil, let projection = defaultProjections[kind] { return projection }
        return try Projection(attributes: attributes, excludedAttributes: excluded, for: schema(for: kind))
    }

    func includesMembers(_ kind: ResourceKind, _ request: SCIMRequest) -> Bool {
        Self.includesMembers(
            kind, attributes: Projection.parseList(request.parameter("attributes")),
            excluded: Projection.parseList(request.parameter("excludedAttributes")))
    }

    /// Whether a group's members must be read: not when they are excluded, or when `attributes` names others only.
    static func includesMembers(_ kind: ResourceKind, attributes: [String]?, excluded: [String]?) -> Bool {
        guard kind == .group else { return false }
        func namesMembers(_ path: String) -> Bool {
            let tail = path.split(separator: ":").last.map(String.init) ?? path
            return tail.equalsIgnoringASCIICase("members") || tail.lowercased().hasPrefix("members.")
                || path.equalsIgnoringASCIICase(SchemaURN.group)
        }
        if let attributes { return attributes.contains(where: namesMembers) }
        if let excluded { return !excluded.contains { $0.split(separator: ":").last.map(String.init)?.equalsIgnoringASCIICase("members") ?? false } }
        return true
    }

    /// The condition an `If-None-Match` header sets on a write; nil when the header is absent.
    func refusedVersions(_ request: SCIMRequest) throws(SCIMError) -> ETag.Condition? {
        try request.ifNoneMatch.map { header throws(SCIMError) in try ETag.Condition(header: header) }
    }

    /// 412 if a write's `If-None-Match` names the resource's current version (or is `*`: it exists), RFC 7232 §3.2.
    static func check(_ existing: StoredResource, against unless: ETag.Condition?) throws(SCIMError) {
        guard let unless, unless.matches(version: existing.version) else { return }
        throw SCIMError(.preconditionFailed, nil, "the \(existing.kind.rawValue) is at version \(existing.version), which If-None-Match names")
    }

    /// The versions an `If-Match` header names; nil when the header is absent or `*`.
    func expectedVersion(_ request: SCIMRequest) throws(SCIMError) -> ExpectedVersions? {
        guard let header = request.ifMatch else { return nil }
        switch try ETag.Condition(header: header) {
        case .any: return nil
        case .tags(let tags):
            let versions = tags.compactMap(\.version)
            guard !versions.isEmpty else {
                throw SCIMError(.preconditionFailed, nil, "If-Match '\(header)' names no version of this resource")
            }
            return ExpectedVersions(versions)
        }
    }

    func resourceURL(_ kind: ResourceKind, _ id: String, _ request: SCIMRequest) -> String {
        "\(request.baseURL)/\(Self.endpoint(kind))/\(id)"
    }

    /// The resource as a client sees it: `meta.location` and the `$ref` of each member and group (URLs the
    /// server knows and the directory does not store), then the projection.
    func render(_ stored: StoredResource, baseURL: String, projection: Projection) -> JSONValue {
        var object = stored.object
        if var meta = object["meta"]?.objectValue {
            meta["location"] = .string("\(baseURL)/\(Self.endpoint(stored.kind))/\(stored.id)")
            object["meta"] = .object(meta)
        }
        for (attribute, defaultEndpoint) in [("members", "Users"), ("groups", "Groups")] {
            guard let references = object[attribute]?.arrayValue else { continue }
            object[attribute] = .array(references.map { reference in
                guard var item = reference.objectValue, let id = item["value"]?.stringValue else { return reference }
                let endpoint = item["type"]?.stringValue == "Group" ? "Groups" : defaultEndpoint
                item["$ref"] = .string("\(baseURL)/\(endpoint)/\(id)")
                return .object(item)
            })
        }
        return .object(projection.apply(to: object))
    }
}
