import SCIM

/// Where one mapping writes in the target resource, resolved against the schema at load.
struct TargetSlot: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        /// The whole attribute: `displayName`, `members`, `name`.
        case whole
        /// A sub-attribute of a single-valued complex attribute: `name.givenName`.
        case sub(String)
        /// A sub-attribute of the value a filter selects: `emails[type eq "work"].value`, whose element is
        /// written with the filter's members (`"type": "work"`).
        case element(fixed: [JSONObject.Member], sub: String)
    }

    /// The extension URN whose object holds the attribute; nil for the core schema.
    let container: String?
    /// The attribute's name as the schema spells it.
    let attribute: String
    let multiValued: Bool
    let part: Part
}

/// The shape of the resources an object mapping builds: for every attribute written, which mapping's output
/// goes where. Built once at load; ``build(_:)`` assembles a resource from one record's outputs without
/// looking anything up by name.
struct ResourceLayout: Sendable {
    private struct Element: Sendable {
        let fixed: [JSONObject.Member]
        var subs: [(name: String, output: Int)]
    }

    private struct Attribute: Sendable {
        let name: String
        let multiValued: Bool
        var whole: Int?
        var subs: [(name: String, output: Int)] = []
        var elements: [Element] = []

        func build(_ outputs: [JSONValue?]) -> JSONValue? {
            if multiValued {
                var items: [JSONValue] = []
                if let whole, case .array(let list)? = outputs[whole] { items = list }
                for element in elements {
                    var members = element.fixed
                    members.reserveCapacity(element.fixed.count + element.subs.count)
                    for (name, output) in element.subs {
                        if let value = outputs[output] { members.append(JSONObject.Member(key: name, value: value)) }
                    }
                    if members.count > element.fixed.count { items.append(.object(JSONObject(members))) }
                }
                return items.isEmpty ? nil : .array(items)
            }
            guard !subs.isEmpty else { return whole.flatMap { outputs[$0] } }
            var members: [JSONObject.Member] = []
            if let whole, case .object(let object)? = outputs[whole] { members = object.members }
            members.reserveCapacity(members.count + subs.count)
            for (name, output) in subs {
                if let value = outputs[output] { members.append(JSONObject.Member(key: name, value: value)) }
            }
            return members.isEmpty ? nil : .object(JSONObject(members))
        }
    }

    private struct Container: Sendable {
        let urn: String?
        var attributes: [Attribute] = []
    }

    private let coreURN: JSONValue
    private var containers: [Container] = [Container(urn: nil)]
    /// The most top-level members a resource can have: `schemas`, the core attributes and the extensions.
    private var memberCapacity: Int {
        1 + (containers.first?.attributes.count ?? 0) + containers.count - 1
    }

    init(coreSchema: String) {
        coreURN = .string(coreSchema)
    }

    /// Records that `output` is written to `slot`.
    mutating func add(_ slot: TargetSlot, output: Int) {
        var containerIndex = containers.firstIndex { $0.urn == slot.container }
        if containerIndex == nil {
            containers.append(Container(urn: slot.container))
            containerIndex = containers.count - 1
        }
        guard let containerIndex else { return }
        var attributes = containers[containerIndex].attributes
        var attributeIndex = attributes.firstIndex { $0.name == slot.attribute }
        if attributeIndex == nil {
            attributes.append(Attribute(name: slot.attribute, multiValued: slot.multiValued))
            attributeIndex = attributes.count - 1
        }
        guard let attributeIndex else { return }
        switch slot.part {
        case .whole:
            attributes[attributeIndex].whole = output
        case .sub(let name):
            attributes[attributeIndex].subs.append((name, output))
        case .element(let fixed, let sub):
            if let elementIndex = attributes[attributeIndex].elements.firstIndex(where: { $0.fixed == fixed }) {
                attributes[attributeIndex].elements[elementIndex].subs.append((sub, output))
            } else {
                attributes[attributeIndex].elements.append(Element(fixed: fixed, subs: [(sub, output)]))
            }
        }
        containers[containerIndex].attributes = attributes
    }

    /// The resource for one record's outputs (nil: not written). `schemas` lists the core schema and each
    /// extension that got a value.
    func build(_ outputs: [JSONValue?]) -> JSONObject {
        var members: [JSONObject.Member] = []
        members.reserveCapacity(memberCapacity)
        members.append(JSONObject.Member(key: "schemas", value: .null))
        var schemas: [JSONValue] = []
        schemas.reserveCapacity(containers.count)
        schemas.append(coreURN)
        for container in containers {
            var written: [JSONObject.Member] = []
            written.reserveCapacity(container.urn == nil ? 0 : container.attributes.count)
            for attribute in container.attributes {
                if let value = attribute.build(outputs) { written.append(JSONObject.Member(key: attribute.name, value: value)) }
            }
            guard let urn = container.urn else {
                members += written
                continue
            }
            if !written.isEmpty {
                members.append(JSONObject.Member(key: urn, value: .object(JSONObject(written))))
                schemas.append(.string(urn))
            }
        }
        members[0].value = .array(schemas)
        return JSONObject(members)
    }
}
