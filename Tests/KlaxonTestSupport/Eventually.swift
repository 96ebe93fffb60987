/// Whether `check` comes true within `limit`, asking every half second: for what a client does of its own accord
/// after an outage, such as reconnecting after a pause of its own.
public func eventually(within limit: Duration, _ check: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await check() { return true }
        try? await Task.sleep(for: .milliseconds(500))
    }
    return false
}
