// An iperf3 server on the Oasis stack: TCP tests, client to server or reversed, one test at a time.
#include "services/iperf3/server.hpp"

#include "core/format.hpp"
#include "core/log.hpp"

namespace oasis::iperf3 {

namespace {

constinit LogSource log{"iperf3.server"};

// How long a sender may take to finish the block it is writing when the
// test ends; the client goes on reading meanwhile, so this is milliseconds
// on any working network.
constexpr Duration last_block_grace = std::chrono::seconds(2);
// How long a connection refused during a test gets to send its cookie.
constexpr Duration denied_cookie_wait = std::chrono::seconds(1);

}  // namespace

Result<Server, net::TcpError> Server::listen(net::Stack& stack, ServerOptions options) {
    net::TcpListener listener = TRY(stack.tcp_listen(options.port, 128, options.tcp_config));
    return Server{stack, std::move(options), std::move(listener)};
}

Task<Result<void, net::TcpError>> Server::run(std::size_t tests) {
    while (tests == 0 || m_tests_run < tests) {
        auto accepted = co_await m_listener.accept();
        if (!accepted) {
            co_return Error{accepted.error()};
        }
        net::TcpStream control = std::move(*accepted);
        auto cookie = co_await within(m_options.control_timeout, read_cookie(&control));
        if (!cookie) {
            // Port scanners and connection-rate benchmarks end here.
            log.debug("{}: no cookie ({})", control.tuple(), cookie.error());
            continue;
        }
        TestReport report = co_await run_test(std::move(control), *cookie);
        ++m_tests_run;
        if (m_options.on_test) {
            m_options.on_test(report);
        }
    }
    co_return Result<void, net::TcpError>{};
}

Task<TestReport> Server::run_test(net::TcpStream control, Cookie cookie) {
    TestReport report;
    report.peer = control.tuple().remote;
    log.debug("test {} from {}", cookie_text(cookie), report.peer);
    std::unique_ptr<Transfer> transfer;
    report.outcome = co_await serve_test(&control, &cookie, &report, &transfer);
    if (transfer) {
        co_await transfer->close();
    }
    control.close();
    co_return report;
}

std::optional<std::int32_t> Server::refusal(const TestParameters& parameters) const {
    if (parameters.protocol != TestParameters::Protocol::tcp || parameters.bidirectional) {
        return error_not_implemented;
    }
    if (parameters.parallel > m_options.max_streams) {
        return error_too_many_streams;
    }
    if (parameters.block_size > max_block_size) {
        return error_block_size;
    }
    if (parameters.reverse && parameters.bandwidth != 0) {
        return error_not_implemented;  // this sender does not pace
    }
    return std::nullopt;
}

Task<Result<void, Iperf3Error>> Server::serve_test(net::TcpStream* control, const Cookie* cookie,
                                                   TestReport* report,
                                                   std::unique_ptr<Transfer>* transfer) {
    const Duration timeout = m_options.control_timeout;
    // Control messages are small and each one waits for an answer.
    control->set_no_delay(true);
    if (auto sent = co_await within(timeout, write_state(control, State::param_exchange)); !sent) {
        co_return sent;
    }
    auto text = co_await within(timeout, read_message(control));
    if (!text) {
        co_return Error{text.error()};
    }
    auto parameters = parse_parameters(*text);
    if (!parameters) {
        log.debug("parameters {}: {}", parameters.error(), *text);
        co_return Error{Iperf3Error::bad_message};
    }
    report->parameters = *parameters;
    report->local_sent = parameters->reverse;
    if (std::optional<std::int32_t> code = refusal(*parameters)) {
        log.info("refused a test from {}: {}", report->peer, *text);
        (void)co_await within(timeout, write_server_error(control, *code));
        co_return Error{Iperf3Error::unsupported};
    }
    if (auto sent = co_await within(timeout, write_state(control, State::create_streams)); !sent) {
        co_return sent;
    }
    // The test ends by the client's TEST_END, so no byte limit here.
    *transfer = std::make_unique<Transfer>(parameters->reverse, parameters->block_size, 0);
    if (auto streams =
            co_await within(timeout, accept_streams(cookie, &report->parameters, transfer->get()));
        !streams) {
        co_return streams;
    }
    if (auto sent = co_await within(timeout, write_state(control, State::test_start)); !sent) {
        co_return sent;
    }
    if (auto sent = co_await within(timeout, write_state(control, State::test_running)); !sent) {
        co_return sent;
    }
    (*transfer)->start(std::chrono::seconds(parameters->omit_seconds));
    JoinHandle denier = Scheduler::current().spawn(deny_connections(&m_listener));
    auto ended = co_await wait_for_test_end(control, &report->parameters);
    denier.cancel();
    co_await denier.join();
    if (!ended) {
        co_return ended;
    }
    (*transfer)->end();
    co_await (*transfer)->stop_senders(last_block_grace);
    report->local = (*transfer)->results(net::congestion_algorithm_name(
        m_options.tcp_config.value_or(m_stack->tcp_config()).congestion));
    // iperf3 closes the streams at TEST_END: a sender's last data still
    // leaves, a receiver's unread data is reset.
    co_await (*transfer)->close();

    if (auto sent = co_await within(timeout, write_state(control, State::exchange_results));
        !sent) {
        co_return sent;
    }
    auto client_results = co_await within(timeout, read_message(control));
    if (!client_results) {
        co_return Error{client_results.error()};
    }
    auto results = parse_results(*client_results);
    if (!results) {
        log.debug("client results {}: {}", results.error(), *client_results);
        co_return Error{Iperf3Error::bad_message};
    }
    report->remote = std::move(*results);
    if (auto sent = co_await within(timeout, write_message(control, write_results(*report->local)));
        !sent) {
        co_return sent;
    }
    if (auto sent = co_await within(timeout, write_state(control, State::display_results)); !sent) {
        co_return sent;
    }
    auto done = co_await within(timeout, read_state(control));
    if (!done) {
        co_return Error{done.error()};
    }
    if (*done != State::iperf_done) {
        log.debug("{} instead of IPERF_DONE", *done);
        co_return Error{Iperf3Error::unexpected_state};
    }
    co_return Result<void, Iperf3Error>{};
}

Task<Result<void, Iperf3Error>> Server::accept_streams(const Cookie* cookie,
                                                       const TestParameters* parameters,
                                                       Transfer* transfer) {
    while (transfer->size() < parameters->parallel) {
        auto accepted = co_await m_listener.accept();
        if (!accepted) {
            co_return Error{Iperf3Error::connection_failed};
        }
        net::TcpStream stream = std::move(*accepted);
        auto theirs = co_await read_cookie(&stream);
        if (!theirs || *theirs != *cookie) {
            // Another client's, or no iperf3 at all: iperf3 answers
            // ACCESS_DENIED and goes on waiting for this test's streams.
            log.debug("{}: not a stream of this test", stream.tuple());
            if (theirs) {
                (void)co_await write_state(&stream, State::access_denied);
            }
            continue;
        }
        if (parameters->no_delay) {
            stream.set_no_delay(true);
        }
        transfer->add(std::move(stream));
    }
    co_return Result<void, Iperf3Error>{};
}

Task<Result<void, Iperf3Error>> Server::wait_for_test_end(net::TcpStream* control,
                                                          const TestParameters* parameters) {
    // Only a test by time has a known length; one by bytes or blocks ends
    // when the client has counted them.
    const bool by_time =
        parameters->bytes == 0 && parameters->blocks == 0 && parameters->time_seconds != 0;
    const Duration limit =
        by_time ? std::chrono::seconds(parameters->time_seconds + parameters->omit_seconds) +
                      m_options.grace
                : m_options.longest_test;
    auto state = co_await within(limit, read_state(control));
    if (!state) {
        co_return Error{state.error()};
    }
    switch (*state) {
        case State::test_end:
            co_return Result<void, Iperf3Error>{};
        case State::client_terminate:
        case State::iperf_done:
            co_return Error{Iperf3Error::terminated};
        default:
            log.debug("{} during the test", *state);
            co_return Error{Iperf3Error::unexpected_state};
    }
}

Task<void> Server::deny_connections(net::TcpListener* listener) {
    for (;;) {
        auto accepted = co_await listener->accept();
        if (!accepted) {
            co_return;
        }
        net::TcpStream stream = std::move(*accepted);
        // Reading the cookie first lets the close be a FIN, not a reset
        // that could overtake ACCESS_DENIED.
        (void)co_await within(denied_cookie_wait, read_cookie(&stream));
        (void)co_await write_state(&stream, State::access_denied);
    }
}

}  // namespace oasis::iperf3
