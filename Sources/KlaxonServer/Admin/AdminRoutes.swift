import Foundation
import HTTPTypes
import Hummingbird
import KlaxonDirectory
import SCIM

/// The admin UI under `/admin`: sign-in, Configuration › Synchronisation (Endpoint URL, tokens, sync status and
/// activity), locations, users and groups. Server-rendered HTML; the only script makes the copy buttons work.
///
/// Every page reads and writes only the signed-in administrator's organisation, which comes from the session and
/// never from the URL: an id of another organisation's user, token or location is simply not found.
struct AdminRoutes: Sendable {
    let directory: any Directory
    let profiles: ProfileDeriver
    let configuration: ServerConfiguration
    let passwords: AdminPasswords
    let throttle: SignInThrottle
    let views = AdminViews()
    /// The SCIM endpoints' token cache, from which a revoked token is dropped.
    let tokens: TokenCache

    init(directory: any Directory, profiles: ProfileDeriver, configuration: ServerConfiguration, tokens: TokenCache) {
        self.directory = directory
        self.tokens = tokens
        self.profiles = profiles
        self.configuration = configuration
        self.passwords = AdminPasswords(cost: configuration.passwordCost)
        self.throttle = SignInThrottle()
    }

    func register(on router: Router<SCIMRequestContext>) {
        router.get("admin") { _, _ in AdminViews.redirect("/admin/synchronisation") }
        let admin = router.group("admin", context: AdminRequestContext.self)
            .add(middleware: AdminErrorMiddleware(views: views, directory: directory))
            .add(middleware: AdminSessionMiddleware(directory: directory))
        admin.get("static/:file") { _, context in try asset(context) }
        admin.get("sign-in") { request, context in try await signInPage(request, context) }
        admin.post("sign-in") { request, context in try await signIn(request, context) }
        admin.get("welcome") { request, context in try await welcomePage(request, context) }
        admin.post("welcome") { request, context in try await welcome(request, context) }
        admin.post("sign-out") { _, context in try await signOut(context) }
        admin.get("synchronisation") { request, context in try await synchronisation(request, context) }
        admin.post("synchronisation/tokens") { request, context in try await createToken(request, context) }
        admin.post("synchronisation/tokens/:id/revoke") { _, context in try await revokeToken(context) }
        admin.post("synchronisation/tokens/:id/rename") { request, context in try await renameToken(request, context) }
        admin.get("activity") { request, context in try await activity(request, context) }
        admin.get("locations") { request, context in try await locationsPage(request, context) }
        admin.post("locations") { request, context in try await addLocation(request, context) }
        admin.post("locations/:id/rename") { request, context in try await renameLocation(request, context) }
        admin.post("locations/:id/remove") { request, context in try await removeLocation(request, context) }
        admin.post("locations/:id/default") { _, context in try await setDefaultLocation(context) }
        admin.get("users") { request, context in try await usersPage(request, context) }
        admin.get("users/:id") { request, context in try await userPage(request, context) }
        admin.post("users/:id/location") { request, context in try await setUserLocation(request, context) }
        admin.get("groups") { request, context in try await groupsPage(request, context) }
    }

    private func asset(_ context: AdminRequestContext) throws -> Response {
        guard let file = context.parameters.get("file"), let asset = AdminViews.assets[file] else { throw AdminError.notFound }
        return Response(
            status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "no-cache", .xContentTypeOptions: "nosniff"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    /// The router-level middleware that answers addresses under `/admin` no route serves with the admin 404 page.
    var notFoundMiddleware: AdminNotFoundMiddleware {
        AdminNotFoundMiddleware(directory: directory, views: views)
    }

    // MARK: Helpers

    /// The server's root URL as the browser reached it (or the configured public URL).
    func rootURL(_ request: Request) -> String {
        if let publicURL = configuration.publicURL { return publicURL }
        return "http://\(request.head.authority ?? "\(configuration.host):\(configuration.port)")"
    }

    /// Cookies are `Secure` when the server is reached over HTTPS.
    var secureCookies: Bool {
        configuration.publicURL?.lowercased().hasPrefix("https://") == true
    }

    /// The route's numeric `:id`, or 404.
    func numericID(_ context: AdminRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text) else { throw AdminError.notFound }
        return id
    }

    /// Moves the users a location change concerns to the location now in force for them; says how many moved.
    func rederive(_ organisation: Organisation.ID, named names: Set<String>, at ids: Set<Location.ID>) async throws -> Int {
        try await directory.relocateUsers(in: organisation, named: names, at: ids, profiles: profiles)
    }

    /// "1 user" or "3 users".
    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }
}
