//! `dataplat`: every operation of the six APIs from one command line.
//!
//! ```text
//! dataplat [--profile P] <api> <operation> [--<parameter> VALUE]... [--body JSON | --body-file F] [--all]
//! dataplat auth status
//! dataplat completions <shell>
//! ```
//!
//! The commands are the library's operation tables (`cli_table::OPERATIONS`, generated from the
//! same documents as the clients): one subcommand per operation, one flag per parameter, the
//! operation's summary as its help. Parameters and bodies are decoded into the operation's own
//! types before anything is sent. Credentials come from the library's configuration: the
//! vendors' environment variables, or `--profile` (a table of `~/.config/dataplat/config.toml`).
//!
//! Answers are printed as JSON on stdout (`--all` prints one item per line as the pages come);
//! errors go to stderr, naming the call, and the exit code says what kind of failure it was.

mod apis;
mod login;
mod progress;
mod table;
mod wait;

use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};
use dataplat::core::cli::{Args, Failure, FailureKind, Operation};

/// Exit codes a script can tell apart.
mod exit {
    /// A flag, parameter or body the operation does not take (nothing was sent).
    pub const USAGE: u8 = 2;
    /// No credential configured, or the server refused it.
    pub const AUTH: u8 = 3;
    /// The server answered 404.
    pub const NOT_FOUND: u8 = 4;
    /// Any other failed answer.
    pub const API: u8 = 5;
    /// The request could not be sent or answered.
    pub const TRANSPORT: u8 = 6;
}

fn kebab(name: &str) -> String {
    name.replace('_', "-")
}

/// The `clap` command of one operation.
fn operation_command(op: &Operation) -> Command {
    let mut command = Command::new(kebab(op.name)).about(op.summary);
    for param in op.params {
        command = command.arg(
            Arg::new(param.name)
                .long(kebab(param.name))
                .value_name("VALUE")
                .required(param.required)
                .help(format!(
                    "{} ({})",
                    param.ty,
                    if param.required {
                        "required"
                    } else {
                        "optional"
                    }
                )),
        );
    }
    if let Some(required) = op.body {
        command = command
            .arg(
                Arg::new("__body")
                    .long("body")
                    .value_name("JSON")
                    .help("the request body as JSON, checked against the operation's type")
                    .conflicts_with("__body_file"),
            )
            .arg(
                Arg::new("__body_file")
                    .long("body-file")
                    .value_name("FILE")
                    .help("the request body from a JSON file (`-` for stdin)"),
            )
            .group(
                clap::ArgGroup::new("__body_group")
                    .args(["__body", "__body_file"])
                    .required(required),
            );
    }
    if op.stream {
        // `--all`, unless the operation has a parameter of that name (Astra's datacenters).
        let flag = if op.params.iter().any(|p| p.name == "all") {
            "all-pages"
        } else {
            "all"
        };
        command = command.arg(
            Arg::new("__all")
                .long(flag)
                .action(ArgAction::SetTrue)
                .help("every item of every page, one JSON line each"),
        );
    }
    command
}

/// The whole command line.
pub fn cli() -> Command {
    let mut root = Command::new("dataplat")
        .about("Every operation of Astra, Galaxy, ACM, BigAnimal and Airflow 2 and 3")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .arg(
            Arg::new("profile")
                .long("profile")
                .value_name("NAME")
                .help("a profile of the dataplat config file (default: the environment only)"),
        )
        .arg(
            Arg::new("output")
                .long("output")
                .value_name("FORMAT")
                .value_parser(["json", "table"])
                .default_value("json")
                .help("json (stable, for scripts) or table (for people)"),
        );
    for api in apis::APIS {
        let mut command = Command::new(api.name)
            .about(api.about)
            .subcommand_required(true);
        for op in (api.operations)() {
            command = command.subcommand(operation_command(op));
        }
        if let Some(wait) = wait::command(api.name) {
            command = command.subcommand(wait);
        }
        root = root.subcommand(command);
    }
    root.subcommand(
        Command::new("auth")
            .about("Credentials")
            .subcommand_required(true)
            .subcommand(
                Command::new("status")
                    .about("Which credential each API would use (never printing a secret)"),
            )
            .subcommand(
                Command::new("login")
                    .about("Log in with a device flow and keep the refresh token in a token file")
                    .arg(
                        Arg::new("api")
                            .required(true)
                            .value_parser(["biganimal"])
                            .help("the API (BigAnimal has a device flow)"),
                    ),
            ),
    )
    .subcommand(
        Command::new("completions")
            .about("Shell completions, on stdout")
            .arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(clap::value_parser!(clap_complete::Shell)),
            ),
    )
}

/// The arguments of an operation's matches.
fn args_of(op: &Operation, matches: &ArgMatches) -> Result<Args, Failure> {
    let mut args = Args::new();
    for param in op.params {
        if let Some(value) = matches.get_one::<String>(param.name) {
            args = args.with_param(param.name, value.clone());
        }
    }
    if op.body.is_some() {
        let text = if let Some(text) = matches.get_one::<String>("__body") {
            Some(text.clone())
        } else if let Some(file) = matches.get_one::<String>("__body_file") {
            let read = if file == "-" {
                std::io::read_to_string(std::io::stdin())
            } else {
                std::fs::read_to_string(file)
            };
            Some(read.map_err(|e| usage(format!("--body-file {file}: {e}")))?)
        } else {
            None
        };
        if let Some(text) = text {
            let body = serde_json::from_str(&text)
                .map_err(|e| usage(format!("the body is not JSON: {e}")))?;
            args = args.with_body(body);
        }
    }
    Ok(args)
}

fn usage(message: String) -> Failure {
    Failure {
        kind: FailureKind::Usage,
        message,
        body: None,
    }
}

fn code(kind: FailureKind) -> u8 {
    match kind {
        FailureKind::Usage => exit::USAGE,
        FailureKind::Auth => exit::AUTH,
        FailureKind::NotFound => exit::NOT_FOUND,
        FailureKind::Api => exit::API,
        FailureKind::Transport => exit::TRANSPORT,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let matches = cli().get_matches();
    let profile = matches.get_one::<String>("profile").cloned();
    let (api_name, api_matches) = matches.subcommand().expect("a subcommand is required");
    match api_name {
        "completions" => {
            let shell = *api_matches
                .get_one::<clap_complete::Shell>("shell")
                .expect("required");
            clap_complete::generate(shell, &mut cli(), "dataplat", &mut std::io::stdout());
            return ExitCode::SUCCESS;
        }
        "auth" if api_matches.subcommand_name() == Some("login") => {
            return match login::login().await {
                Ok(file) => {
                    eprintln!("logged in; the refresh token is in {}", file.display());
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::from(exit::AUTH)
                }
            };
        }
        "auth" => {
            for api in apis::APIS {
                match (api.status)(profile.as_deref()) {
                    Ok(()) => println!("{:<10} configured", api.name),
                    Err(why) => println!("{:<10} not configured: {why}", api.name),
                }
            }
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let api = apis::APIS
        .iter()
        .find(|a| a.name == api_name)
        .expect("clap only accepts known APIs");
    let (op_name, op_matches) = api_matches.subcommand().expect("an operation is required");
    let table = matches.get_one::<String>("output").map(String::as_str) == Some("table");
    if op_name == "wait" {
        let (what, wait_matches) = op_matches.subcommand().expect("a waiter is required");
        let outcome = wait::run(api.name, what, wait_matches, profile.as_deref()).await;
        return finish(outcome, table, false);
    }
    let op = (api.operations)()
        .iter()
        .find(|o| kebab(o.name) == op_name)
        .expect("clap only accepts known operations");
    let all = op.stream && op_matches.get_flag("__all");
    let outcome = match args_of(op, op_matches) {
        Ok(args) => (api.run)(profile.as_deref(), op.name, args, all, table).await,
        Err(failure) => Err(failure),
    };
    finish(outcome, table, all)
}

/// Prints the answer (unless `--all` printed it line by line) or the failure, and the exit code.
fn finish(outcome: Result<serde_json::Value, Failure>, table: bool, streamed: bool) -> ExitCode {
    match outcome {
        Ok(value) => {
            if table {
                println!("{}", table::render(&value));
            } else if !streamed {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&value).expect("JSON values encode")
                );
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("error: {failure}");
            // The whole answer (redacted by the library, as the message is), unless the
            // message's excerpt already holds all of it.
            if let Some(body) = failure.body.as_ref().map(|b| b.to_string())
                && !failure.message.contains(&body)
            {
                eprintln!("{body}");
            }
            ExitCode::from(if wait::is_timeout(&failure) {
                wait::TIMEOUT
            } else {
                code(failure.kind)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    /// `[effective] operations = N` of an API's source record.
    fn documented(api: &str) -> usize {
        let path = format!("{}/../specs/{api}/source.toml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let effective = text.split("[effective]").nth(1).unwrap();
        effective
            .lines()
            .find_map(|l| l.trim().strip_prefix("operations = "))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    #[test]
    fn every_operation_of_every_api_is_a_command() {
        let cli = super::cli();
        cli.clone().debug_assert();
        let mut total = 0;
        for api in super::apis::APIS {
            let command = cli.find_subcommand(api.name).unwrap();
            let commands = command
                .get_subcommands()
                .filter(|c| c.get_name() != "wait")
                .count();
            assert_eq!(commands, documented(api.name), "{}", api.name);
            total += commands;
        }
        assert_eq!(total, 723);
    }
}
