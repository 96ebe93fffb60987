import Foundation
import HTTPTypes
import Hummingbird
import KlaxonDirectory

/// Sign-in with a password, the one-time sign-in that sets the first password, and sign-out.
extension AdminRoutes {
    struct SignInModel {
        let csrf: String
        let login: String
        let error: String?
    }

    struct WelcomeModel {
        let csrf: String
        let valid: Bool
        let code: String
        let login: String
        let organisation: String
        let minimumLength = AdminPasswords.minimumLength
        let error: String?
    }

    static let wrongPassword = "The sign-in name or password is wrong."

    func signInPage(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        if context.session != nil { return AdminViews.redirect("/admin/synchronisation") }
        return signInForm(request, login: "", error: nil, status: .ok)
    }

    func signIn(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let login = context.form.trimmed("login")
        let password = context.form["password"] ?? ""
        let now = Date()
        // The attempt counts as a failure before bcrypt runs, so a burst of simultaneous guesses is throttled too.
        let throttle = self.throttle
        let client = configuration.trustedProxies.clientAddress(
            peer: context.peerAddress, forwardedFor: request.headers[values: .xForwardedFor])
        if let wait = try await directory.claimSignInAttempt(login: login, client: client, at: now, wait: { throttle.wait(after: $0, now: now) }) {
            let seconds = Int(wait.rounded(.up))
            var response = signInForm(
                request, login: login,
                error: "Too many failed sign-ins for this name from here. Wait \(Self.count(seconds, "second")) and try again.", status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        }
        let credentials = login.isEmpty ? nil : try await directory.administratorCredentials(login: login)
        // A session for the password checked: nil if it was reset during bcrypt, which is then as wrong as any.
        guard try await passwords.verify(password, against: credentials?.passwordHash), let credentials,
            let response = try await startSession(for: credentials, notice: nil)
        else {
            return signInForm(request, login: login, error: Self.wrongPassword, status: .unauthorized)
        }
        try await directory.clearSignInFailures(login: login, client: client)
        return response
    }

    func welcomePage(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let code = AdminForm(query: request.uri.query).trimmed("code")
        let credentials = code.isEmpty ? nil : try await directory.signInCode(code, at: Date())
        return welcomeForm(request, code: code, credentials: credentials, error: nil, status: credentials == nil ? .gone : .ok)
    }

    func welcome(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let code = context.form.trimmed("code")
        let password = context.form["password"] ?? ""
        guard let pending = code.isEmpty ? nil : try await directory.signInCode(code, at: Date()) else {
            return welcomeForm(request, code: code, credentials: nil, error: nil, status: .gone)
        }
        if let problem = AdminPasswords.problem(with: password, confirmation: context.form["confirm"] ?? "") {
            return welcomeForm(request, code: code, credentials: pending, error: problem, status: .badRequest)
        }
        let hash = try await passwords.hash(password)
        guard let credentials = try await directory.redeemSignInCode(code, passwordHash: hash, at: Date()) else {
            return welcomeForm(request, code: code, credentials: nil, error: nil, status: .gone)
        }
        try await directory.clearSignInFailures(login: credentials.administrator.login, client: nil)
        guard let response = try await startSession(for: credentials, notice: "Your password is saved. Welcome to Klaxon.") else {
            // Reset again by another one-time sign-in in the meantime: that one holds.
            return welcomeForm(request, code: code, credentials: nil, error: nil, status: .gone)
        }
        return response
    }

    func signOut(_ context: AdminRequestContext) async throws -> Response {
        if let secret = context.sessionSecret {
            try await directory.endAdminSession(secret: secret)
        }
        var response = AdminViews.redirect("/admin/sign-in", notice: "You have signed out.")
        response.setCookie(sessionCookie(value: "", maxAge: 0))
        return response
    }

    // MARK: Helpers

    /// Signs the administrator in with the password whose hash `credentials` holds; nil if it has changed since.
    private func startSession(for credentials: AdministratorCredentials, notice: String?) async throws -> Response? {
        let lifetime = configuration.adminSessionLifetime.components.seconds
        guard
            let issued = try await directory.createAdminSession(
                for: credentials.administrator.id, in: credentials.organisation.id, passwordHash: credentials.passwordHash,
                expires: Date().addingTimeInterval(TimeInterval(lifetime)))
        else { return nil }
        var response = AdminViews.redirect("/admin/synchronisation", notice: notice)
        response.setCookie(sessionCookie(value: issued.secret, maxAge: Int(lifetime)))
        return response
    }

    private func sessionCookie(value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: AdminSessionMiddleware.sessionCookie, value: value, maxAge: maxAge, path: "/admin", secure: secureCookies, httpOnly: true,
            sameSite: .strict)
    }

    /// The anti-forgery value of the forms shown before sign-in: the browser's form cookie, or a new one.
    private func formToken(_ request: Request) -> (value: String, isNew: Bool) {
        if let existing = request.cookies[AdminSessionMiddleware.formCookie]?.value, existing.count >= 32 {
            return (existing, false)
        }
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return (String((0..<48).map { _ in digits[Int(generator.next() % 16)] }), true)
    }

    private func withFormCookie(_ response: Response, _ token: (value: String, isNew: Bool)) -> Response {
        guard token.isNew else { return response }
        var response = response
        response.setCookie(
            Cookie(
                name: AdminSessionMiddleware.formCookie, value: token.value, path: "/admin", secure: secureCookies, httpOnly: true,
                sameSite: .strict))
        return response
    }

    private func signInForm(_ request: Request, login: String, error: String?, status: HTTPResponse.Status) -> Response {
        let token = formToken(request)
        let page = views.page(
            "sign-in", title: "Sign in", model: SignInModel(csrf: token.value, login: login, error: error), session: nil, request: request,
            status: status)
        return withFormCookie(page, token)
    }

    private func welcomeForm(
        _ request: Request, code: String, credentials: AdministratorCredentials?, error: String?, status: HTTPResponse.Status
    ) -> Response {
        let token = formToken(request)
        let model = WelcomeModel(
            csrf: token.value, valid: credentials != nil, code: code, login: credentials?.administrator.login ?? "",
            organisation: credentials?.organisation.name ?? "", error: error)
        return withFormCookie(views.page("welcome", title: "Choose a password", model: model, session: nil, request: request, status: status), token)
    }
}
