// oasis: the tool a unikernel's author uses — new, configure, build, run, describe, clean.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/project.hpp"
#include "core/panic.hpp"

namespace {

[[noreturn]] void report_panic(std::string_view message) {
    std::fprintf(stderr, "oasis: internal error: %.*s\n", static_cast<int>(message.size()),
                 message.data());
    std::abort();
}

}  // namespace

int main(int argc, char** argv) {
    using namespace oasis::cli;
    oasis::set_panic_handler(report_panic);

    CLI::App app{
        "oasis: builds a unikernel from its manifest (unikernel.toml) for a target.\n"
        "Typical use: oasis new NAME; cd NAME; oasis configure -t unix; oasis build; oasis run"};
    app.require_subcommand(1);
    app.fallthrough();
    app.set_version_flag("--version", "oasis " OASIS_VERSION);
    std::string directory = ".";
    app.add_option("-C", directory, "Work in this project folder instead of the current one")
        ->type_name("DIR");

    TargetRequest configure_request;
    CLI::App* configure = app.add_subcommand(
        "configure", "Check the manifest and write the build folder build/TARGET");
    configure->add_option("-t,--target", configure_request.target, "unix (hvt: issue 5)")
        ->capture_default_str()
        ->type_name("TARGET");
    configure
        ->add_option("--net", configure_request.net,
                     "direct: Oasis's own stack over TAP (socket: not yet)")
        ->capture_default_str()
        ->type_name("KIND");

    CLI::App* build = app.add_subcommand(
        "build", "Build the configured target with CMake and Ninja into dist/NAME");

    std::vector<std::string> run_arguments;
    CLI::App* run =
        app.add_subcommand("run", "Run dist/NAME; arguments after -- go to the unikernel");
    run->add_option("arguments", run_arguments, "The unikernel's arguments (after --)");

    CLI::App* clean = app.add_subcommand("clean", "Remove build/ and dist/NAME");

    TargetRequest describe_request;
    CLI::App* describe = app.add_subcommand(
        "describe", "Print the devices and runtime arguments the manifest declares");
    CLI::Option* describe_target =
        describe->add_option("-t,--target", describe_request.target, "as configured, else unix")
            ->type_name("TARGET");
    CLI::Option* describe_net =
        describe->add_option("--net", describe_request.net, "as configured, else direct")
            ->type_name("KIND");

    std::string new_name;
    CLI::App* create = app.add_subcommand("new", "Make the folder NAME with a working skeleton");
    create->add_option("name", new_name, "The unikernel's name")->required();

    // For build systems (Oasis's own examples): only the generated C++.
    TargetRequest generate_request;
    GenerateRequest generate_files;
    CLI::App* generate =
        app.add_subcommand("generate", "Write only the generated C++ sources (for build systems)");
    generate->group("");
    generate->add_option("-t,--target", generate_request.target)->type_name("TARGET");
    generate->add_option("--net", generate_request.net)->type_name("KIND");
    generate->add_option("--manifest", generate_files.manifest)->required();
    generate->add_option("--output", generate_files.output)->required();
    generate->add_option("--sources", generate_files.sources);
    generate->add_option("--baked", generate_files.baked);
    generate->add_option("--depfile", generate_files.depfile);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int status = app.exit(error);
        return status == 0 ? 0 : exit_usage;
    }

    const ProjectPaths project{directory};
    if (configure->parsed()) {
        return configure_command(project, configure_request);
    }
    if (build->parsed()) {
        return build_command(project);
    }
    if (run->parsed()) {
        return run_command(project, run_arguments);
    }
    if (clean->parsed()) {
        return clean_command(project);
    }
    if (describe->parsed()) {
        std::optional<TargetRequest> request;
        if (describe_target->count() > 0 || describe_net->count() > 0) {
            request = describe_request;
        }
        return describe_command(project, request);
    }
    if (create->parsed()) {
        return new_command(directory, new_name);
    }
    if (generate->parsed()) {
        return generate_command(generate_files, generate_request);
    }
    return exit_usage;
}
