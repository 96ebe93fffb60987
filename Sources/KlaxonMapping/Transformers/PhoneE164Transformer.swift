import SCIM

/// `phone.e164`: normalises a phone number to E.164 (`+442079460958`) with ``PhoneNumberNormalizer``.
///
/// Numbers written without a country code are read in `defaultRegion`, or, when the file gives none, in the
/// region the ``TransformContext``'s `values` name under `defaultRegion` (an organisation's own region, for
/// the server's profile mapping). What an invalid number does is
/// `onInvalid`'s choice: leave the attribute out (the default), send null, send the number as it was, or fail
/// the record. A list (several numbers) is normalised item by item; invalid items are dropped unless
/// `onInvalid` is `keep` or `error`.
struct PhoneE164Transformer: Transformer {
    enum OnInvalid: String { case skipAttribute = "skip-attribute", null, keep, error }

    static let id = "phone.e164"
    static let summary = "Normalises a phone number to E.164 (+442079460958), reading national numbers in defaultRegion."
    static let parameters = [
        TransformerParameter(
            "defaultRegion", .string, summary: "ISO 3166-1 alpha-2 region for numbers without a country code, e.g. GB"),
        TransformerParameter(
            "onInvalid", .oneOf(["skip-attribute", "null", "keep", "error"]),
            summary: "what an invalid number does (default skip-attribute)"),
    ]

    /// The normaliser for the file's region; nil when the region comes from the context.
    let normalizer: PhoneNumberNormalizer?
    let onInvalid: OnInvalid

    init(arguments: TransformerArguments) throws(TransformerError) {
        if let region = arguments.string("defaultRegion") {
            do {
                normalizer = try PhoneNumberNormalizer(defaultRegion: region)
            } catch {
                throw TransformerError(error.message, argument: "defaultRegion")
            }
        } else {
            normalizer = nil
        }
        onInvalid = arguments.string("onInvalid").flatMap(OnInvalid.init) ?? .skipAttribute
    }

    func transform(_ value: JSONValue, context: TransformContext) throws(TransformerError) -> TransformOutcome {
        let normalizer: PhoneNumberNormalizer
        if let fixed = self.normalizer {
            normalizer = fixed
        } else {
            do {
                normalizer = try PhoneNumberNormalizer(defaultRegion: context.values["defaultRegion"]?.stringValue)
            } catch {
                throw TransformerError("the context's defaultRegion: \(error.message)")
            }
        }
        if case .array(let items) = value {
            var numbers: [JSONValue] = []
            for item in items {
                guard let text = item.scalarText else { continue }
                switch normalizer.e164(text) {
                case .success(let number): numbers.append(.string(number))
                case .failure(let error):
                    if onInvalid == .error { throw TransformerError(error.message) }
                    if onInvalid == .keep { numbers.append(item) }
                }
            }
            return .value(.array(numbers))
        }
        guard let text = value.scalarText else { return .value(value) }
        switch normalizer.e164(text) {
        case .success(let number):
            return .value(.string(number))
        case .failure(let error):
            switch onInvalid {
            case .skipAttribute: return .skipAttribute
            case .null: return .null
            case .keep: return .value(value)
            case .error: throw TransformerError(error.message)
            }
        }
    }
}
