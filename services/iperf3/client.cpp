// An iperf3 client on the Oasis stack: runs one TCP test against an iperf3 server, as `iperf3 -c`.
#include "services/iperf3/client.hpp"

#include "core/endian.hpp"
#include "core/format.hpp"
#include "core/log.hpp"

namespace oasis::iperf3 {

namespace {

constinit LogSource log{"iperf3.client"};

// How long a sender may take to finish its current block when the test
// ends; the server reads until it gets TEST_END, so this is short.
constexpr Duration last_block_grace = std::chrono::seconds(5);

Instant now() {
    return Scheduler::current().now();
}

Task<void> wait_for(Event* event) {
    co_await event->wait();
}

// A state byte read in the background while the data flows: the server
// speaks up only to end the test early.
struct ControlWatch {
    std::optional<Result<State, Iperf3Error>> state;
};

// Woken by the control connection's data; wakes `wake` when a byte came.
Task<void> watch_control(net::TcpStream* control, ControlWatch* watch, Event* wake) {
    auto state = co_await read_state(control);
    watch->state.emplace(std::move(state));
    wake->set();
}

// What a state the test did not ask for means: the server's error, a
// refusal, or a broken peer.
Task<Result<void, Iperf3Error>> unexpected(net::TcpStream* control, State state) {
    switch (state) {
        case State::access_denied:
            co_return Error{Iperf3Error::access_denied};
        case State::server_terminate:
            co_return Error{Iperf3Error::terminated};
        case State::server_error: {
            std::array<std::byte, 8> codes{};
            auto got = co_await control->read_exact(MutableByteView{codes});
            if (got) {
                log.info("the server refused the test: iperf3 error {}, errno {}",
                         static_cast<std::int32_t>(load_be32(codes.data())),
                         static_cast<std::int32_t>(load_be32(codes.data() + 4)));
            }
            co_return Error{Iperf3Error::server_error};
        }
        default:
            log.debug("{} from the server, out of turn", state);
            co_return Error{Iperf3Error::unexpected_state};
    }
}

// Reads the next state and checks it is `expected`.
Task<Result<void, Iperf3Error>> expect(net::TcpStream* control, State expected, Duration timeout) {
    auto state = co_await within(timeout, read_state(control));
    if (!state) {
        co_return Error{state.error()};
    }
    if (*state != expected) {
        // (Not `co_return co_await`: GCC 12 can miscompile it; see examples/iperf3/unikernel.cpp.)
        auto refused = co_await unexpected(control, *state);
        co_return refused;
    }
    co_return Result<void, Iperf3Error>{};
}

Task<Result<void, Iperf3Error>> write_cookie(net::TcpStream* stream, const Cookie* cookie) {
    auto written = co_await stream->write(ByteView{*cookie});
    if (!written) {
        co_return Error{Iperf3Error::connection_failed};
    }
    co_return Result<void, Iperf3Error>{};
}

Task<Result<void, Iperf3Error>> connect_streams(net::Stack* stack, const ClientOptions* options,
                                                const Cookie* cookie, Transfer* transfer) {
    for (std::uint32_t index = 0; index < options->parallel; ++index) {
        auto connected = co_await stack->tcp_connect(options->server, options->port,
                                                     options->control_timeout, options->tcp_config);
        if (!connected) {
            log.info("stream {} to {}:{}: {}", index, options->server, options->port,
                     connected.error());
            co_return Error{Iperf3Error::connection_failed};
        }
        net::TcpStream stream = std::move(*connected);
        if (options->no_delay) {
            stream.set_no_delay(true);
        }
        // In order: the server numbers streams as they arrive.
        if (auto sent = co_await within(options->control_timeout, write_cookie(&stream, cookie));
            !sent) {
            co_return sent;
        }
        transfer->add(std::move(stream));
    }
    co_return Result<void, Iperf3Error>{};
}

// The data phase: until the time is up, the bytes went, or the server
// speaks or a stream fails.
Task<Result<void, Iperf3Error>> transfer_data(net::TcpStream* control,
                                              const TestParameters* parameters,
                                              Transfer* transfer) {
    const bool by_time = parameters->bytes == 0;
    const Instant deadline =
        now() + std::chrono::seconds(by_time ? parameters->time_seconds + parameters->omit_seconds
                                             : max_test_seconds);
    Event& wake = transfer->progress();
    ControlWatch watch;
    JoinHandle watcher = Scheduler::current().spawn(watch_control(control, &watch, &wake));
    Result<void, Iperf3Error> outcome;
    for (;;) {
        wake.reset();
        if (watch.state) {
            break;
        }
        if (transfer->limit_reached() || now() >= deadline) {
            break;
        }
        if (transfer->all_finished()) {
            log.info(
                "every stream ended before the test did ({})",
                transfer->first_error() ? net::tcp_error_name(*transfer->first_error()) : "closed");
            outcome = Error{Iperf3Error::connection_failed};
            break;
        }
        (void)co_await with_deadline(deadline, wait_for(&wake));
    }
    watcher.cancel();
    co_await watcher.join();
    if (watch.state) {
        if (!*watch.state) {
            co_return Error{watch.state->error()};
        }
        auto refused = co_await unexpected(control, **watch.state);
        co_return refused;
    }
    co_return outcome;
}

Task<Result<void, Iperf3Error>> run_test(net::Stack* stack, const ClientOptions* options,
                                         const Cookie* cookie, net::TcpStream* control,
                                         TestReport* report, std::unique_ptr<Transfer>* transfer) {
    const Duration timeout = options->control_timeout;
    control->set_no_delay(true);
    if (auto sent = co_await within(timeout, write_cookie(control, cookie)); !sent) {
        co_return sent;
    }
    if (auto step = co_await expect(control, State::param_exchange, timeout); !step) {
        co_return step;
    }
    if (auto sent =
            co_await within(timeout, write_message(control, write_parameters(report->parameters)));
        !sent) {
        co_return sent;
    }
    if (auto step = co_await expect(control, State::create_streams, timeout); !step) {
        co_return step;
    }
    *transfer = std::make_unique<Transfer>(!options->reverse, options->block_size, options->bytes);
    if (auto streams = co_await connect_streams(stack, options, cookie, transfer->get());
        !streams) {
        co_return streams;
    }
    if (auto step = co_await expect(control, State::test_start, timeout); !step) {
        co_return step;
    }
    if (auto step = co_await expect(control, State::test_running, timeout); !step) {
        co_return step;
    }
    (*transfer)->start(std::chrono::seconds(options->omit_seconds));
    if (auto data = co_await transfer_data(control, &report->parameters, transfer->get()); !data) {
        co_return data;
    }
    // A sender finishes its blocks first; a receiver stops counting now and
    // goes on draining, so the server is never stuck in a write.
    co_await (*transfer)->stop_senders(last_block_grace);
    (*transfer)->end();
    report->local = (*transfer)->results(net::congestion_algorithm_name(
        options->tcp_config.value_or(stack->tcp_config()).congestion));
    if (auto sent = co_await within(timeout, write_state(control, State::test_end)); !sent) {
        co_return sent;
    }
    if (auto step = co_await expect(control, State::exchange_results, timeout); !step) {
        co_return step;
    }
    if (auto sent = co_await within(timeout, write_message(control, write_results(*report->local)));
        !sent) {
        co_return sent;
    }
    auto text = co_await within(timeout, read_message(control));
    if (!text) {
        co_return Error{text.error()};
    }
    auto results = parse_results(*text);
    if (!results) {
        log.debug("server results {}: {}", results.error(), *text);
        co_return Error{Iperf3Error::bad_message};
    }
    report->remote = std::move(*results);
    if (auto step = co_await expect(control, State::display_results, timeout); !step) {
        co_return step;
    }
    co_await (*transfer)->close();
    auto done = co_await within(timeout, write_state(control, State::iperf_done));
    co_return done;
}

}  // namespace

Task<TestReport> run_client(net::Stack* stack, crypto::ChaChaRng* random, ClientOptions options) {
    TestReport report;
    report.peer = options.server;
    report.local_sent = !options.reverse;
    TestParameters& parameters = report.parameters;
    // iperf3 -n sends "time": 0, and a byte count ends the test instead.
    parameters.time_seconds = options.bytes != 0 ? 0 : options.time_seconds;
    parameters.bytes = options.bytes;
    parameters.parallel = options.parallel;
    parameters.reverse = options.reverse;
    parameters.block_size = options.block_size;
    parameters.omit_seconds = options.omit_seconds;
    parameters.no_delay = options.no_delay;
    const Cookie cookie = make_cookie(*random);

    auto connected = co_await stack->tcp_connect(options.server, options.port,
                                                 options.control_timeout, options.tcp_config);
    if (!connected) {
        log.info("{}:{}: {}", options.server, options.port, connected.error());
        report.outcome = Error{Iperf3Error::connection_failed};
        co_return report;
    }
    net::TcpStream control = std::move(*connected);
    std::unique_ptr<Transfer> transfer;
    report.outcome = co_await run_test(stack, &options, &cookie, &control, &report, &transfer);
    if (transfer) {
        co_await transfer->close();
    }
    control.close();
    co_return report;
}

}  // namespace oasis::iperf3
