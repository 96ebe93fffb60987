import Foundation
import HTTPTypes
import Hummingbird
import KlaxonDirectory
import Mustache

/// Renders the admin pages from the Mustache templates compiled into the binary (`Admin/Templates`, embedded with
/// SwiftPM's `embedInCode`, so `klaxon-sync` stays a single file to deploy), and builds their responses.
///
/// Every page is a template rendered into `layout`. `{{…}}` escapes HTML; only `layout` uses `{{{body}}}`, for the
/// page it was given already rendered.
struct AdminViews: Sendable {
    private let library: MustacheLibrary

    /// The notice shown once on the next page, after a redirect.
    static let noticeCookie = "klaxon_notice"

    init() {
        let templates: [(String, [UInt8])] = [
            ("layout", PackageResources.layout_mustache), ("sign-in", PackageResources.sign_in_mustache),
            ("welcome", PackageResources.welcome_mustache), ("message", PackageResources.message_mustache),
            ("synchronisation", PackageResources.synchronisation_mustache), ("activity-table", PackageResources.activity_table_mustache),
            ("activity", PackageResources.activity_mustache), ("locations", PackageResources.locations_mustache),
            ("users", PackageResources.users_mustache), ("user", PackageResources.user_mustache),
        ]
        var library = MustacheLibrary()
        for (name, bytes) in templates {
            do {
                try library.register(String(decoding: bytes, as: UTF8.self), named: name)
            } catch {
                // The templates ship inside the binary: one that does not parse is a build defect, which the tests catch.
                preconditionFailure("the admin template '\(name)' does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// The stylesheet and the script, by file name.
    static let assets: [String: (contentType: String, bytes: [UInt8])] = [
        "admin.css": ("text/css; charset=utf-8", PackageResources.admin_css),
        "admin.js": ("text/javascript; charset=utf-8", PackageResources.admin_js),
    ]

    /// A whole page: `template` rendered with `model`, inside the layout with the navigation for `session`.
    func page(
        _ template: String, title: String, model: Any, session: AdminSession?, current: String? = nil, request: Request,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let body = library.render(model, withTemplate: template) ?? ""
        let notice = request.cookies[Self.noticeCookie].flatMap { Self.decodeNotice($0.value) }
        let layout = Layout(
            title: title, signedIn: session.map { SignedIn(session: $0, current: current) }, notice: notice, body: body)
        var response = Self.html(library.render(layout, withTemplate: "layout") ?? "", status: status)
        if notice != nil {
            response.setCookie(Cookie(name: Self.noticeCookie, value: "", maxAge: 0, path: "/admin", httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// A short page with a heading, a sentence and one link (errors, expired forms).
    func message(
        heading: String, message: String, link: String = "/admin/synchronisation", linkLabel: String = "Back to Synchronisation",
        session: AdminSession?, request: Request, status: HTTPResponse.Status
    ) -> Response {
        page(
            "message", title: heading, model: ["heading": heading, "message": message, "link": link, "linkLabel": linkLabel],
            session: session, request: request, status: status)
    }

    /// The 404 page, for an unknown id or an address no admin page serves.
    func notFound(session: AdminSession?, request: Request) -> Response {
        message(
            heading: "Not found", message: "There is nothing at this address in your organisation.", session: session, request: request,
            status: .notFound)
    }

    /// An HTML response that no cache keeps and no other site can frame or script.
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            .contentSecurityPolicy:
                "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            .xContentTypeOptions: "nosniff",
        ]
        headers[.contentLength] = String(text.utf8.count)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A 303 to `location`, with a notice for the page it leads to.
    static func redirect(_ location: String, notice: String? = nil) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        if let notice {
            response.setCookie(
                Cookie(name: noticeCookie, value: encodeNotice(notice), maxAge: 60, path: "/admin", httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// base64url, so any text fits a cookie value.
    static func encodeNotice(_ text: String) -> String {
        Data(text.prefix(300).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decodeNotice(_ value: String) -> String? {
        var base64 = value.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8), !text.isEmpty else { return nil }
        return text
    }

    // MARK: Layout model

    struct Layout {
        let title: String
        let signedIn: SignedIn?
        let notice: String?
        let body: String
    }

    struct SignedIn {
        let csrf: String
        let login: String
        let organisation: String
        let navigation: [NavigationItem]

        init(session: AdminSession, current: String?) {
            csrf = session.csrfToken
            login = session.administrator.login
            organisation = session.organisation.name
            navigation = [
                ("synchronisation", "Synchronisation"), ("locations", "Locations"), ("users", "Users"), ("groups", "Groups"),
                ("activity", "Activity"),
            ].map { NavigationItem(href: "/admin/\($0.0)", label: $0.1, current: $0.0 == current) }
        }
    }

    struct NavigationItem {
        let href: String
        let label: String
        let current: Bool
    }
}

/// Dates as the admin pages show them.
enum AdminDates {
    /// `2025-01-31 14:05 UTC`.
    static func text(_ date: Date) -> String {
        let iso = date.formatted(.iso8601).replacingOccurrences(of: "T", with: " ")
        return String(iso.dropLast(4)) + " UTC"
    }

    /// `2025-01-31T14:05:09Z`, for `<time datetime>`.
    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// `3 minutes ago`, or the date for anything older than a day.
    static func relative(_ date: Date, now: Date = Date()) -> String {
        let seconds = Int(now.timeIntervalSince(date))
        switch seconds {
        case ..<60: return "just now"
        case ..<120: return "a minute ago"
        case ..<3600: return "\(seconds / 60) minutes ago"
        case ..<7200: return "an hour ago"
        case ..<86_400: return "\(seconds / 3600) hours ago"
        default: return text(date)
        }
    }
}
