// The website unikernel: a folder baked into the image, served over HTTP/1.1.
#include "generated/unikernel.hpp"

#include <optional>
#include <string>
#include <utility>

#include "core/format.hpp"
#include "core/scheduler.hpp"
#include "services/http/server.hpp"
#include "services/http/static_files.hpp"

namespace website {

namespace {

// The redirect rules' file in the site folder, after Netlify's and
// Cloudflare Pages' convention. It is not served itself.
constexpr std::string_view redirects_key = "_redirects";

// Serves the site, and writes the access log: one line per exchange, in the
// spirit of the Common Log Format, with the time taken.
class Site final : public oasis::http::Handler {
public:
    Site(oasis::dev::Console& console, oasis::http::StaticFiles& files, bool access_log)
        : m_console(console), m_files(files), m_access_log(access_log) {}

    oasis::Task<oasis::http::Reply> handle(const oasis::http::Request& request) override {
        auto path = oasis::http::path_for_target(request.target);
        if (path && *path == "/" + std::string{redirects_key}) {
            co_return oasis::http::text_reply(404, "Not Found");
        }
        auto reply = co_await m_files.handle(request);
        co_return reply;
    }

    void completed(const oasis::http::Exchange& exchange) override {
        if (!m_access_log) {
            return;
        }
        const auto microseconds =
            std::chrono::duration_cast<std::chrono::microseconds>(exchange.duration).count();
        std::string line = oasis::format(
            "{} \"{} {} HTTP/{}.{}\" {} {} {}us", exchange.connection.remote, exchange.method,
            exchange.target, exchange.version.major, exchange.version.minor, exchange.status,
            exchange.body_bytes, microseconds);
        if (!exchange.user_agent.empty()) {
            oasis::format_to(line, " \"{}\"", exchange.user_agent);
        }
        line += '\n';
        m_console.write(line);
    }

private:
    oasis::dev::Console& m_console;
    oasis::http::StaticFiles& m_files;
    bool m_access_log;
};

// The site's redirect rules, if it has a _redirects file.
oasis::Task<oasis::Result<std::vector<oasis::http::Redirect>, std::string>> read_redirects(
    oasis::dev::KeyValueStore& site) {
    auto text = co_await site.get(std::string{redirects_key});
    if (!text) {
        if (text.error() == oasis::dev::KvError::not_found) {
            co_return std::vector<oasis::http::Redirect>{};
        }
        co_return oasis::Error{std::string{"cannot read _redirects"}};
    }
    auto rules = oasis::http::parse_redirects(oasis::as_chars(oasis::ByteView{*text}));
    if (!rules) {
        co_return oasis::Error{oasis::format("_redirects: {}", rules.error())};
    }
    co_return std::move(*rules);
}

}  // namespace

// The unikernel's entry, the same source on every target: starts the stack
// and serves `htdocs` on `port` until the stack stops. Returns 1 if the
// service cannot start.
oasis::Task<int> start(oasis::dev::Console& console, oasis::net::Stack& service,
                       oasis::dev::KeyValueStore& htdocs, oasis::dev::Clock& clock,
                       Arguments arguments) {
    // The manifest bounds it to 1..65535.
    const auto port = static_cast<std::uint16_t>(arguments.port);
    auto redirects = co_await read_redirects(htdocs);
    if (!redirects) {
        console.write(oasis::format("website: {}\n", redirects.error()));
        co_return 1;
    }
    oasis::http::StaticFilesConfig files_config;
    files_config.index = arguments.index;
    files_config.not_found_page = arguments.not_found.empty()
                                      ? std::nullopt
                                      : std::optional<std::string>{arguments.not_found};
    files_config.redirects = std::move(*redirects);
    oasis::http::StaticFiles files{htdocs, clock, std::move(files_config)};
    Site site{console, files, arguments.access_log};

    service.start();
    if (!co_await service.wait_configured(arguments.dhcp_timeout)) {
        console.write("website: no IPv4 address (no DHCP lease)\n");
        co_return 1;
    }
    auto listener = service.tcp_listen(port, arguments.backlog);
    if (!listener) {
        console.write(
            oasis::format("website: cannot listen on TCP port {}: {}\n", port, listener.error()));
        co_return 1;
    }
    oasis::http::ServerConfig config;
    config.max_connections = arguments.max_connections;
    config.head_timeout = arguments.head_timeout;
    config.idle_timeout = arguments.idle_timeout;
    oasis::http::Server server{site, &clock, std::move(config)};
    console.write(
        oasis::format("website: serving http://{}:{}/\n", service.address()->address(), port));
    // Returns when the stack stops and closes the listener, after the last
    // connection has ended.
    co_await server.serve(std::move(*listener));
    co_return 0;
}

}  // namespace website
