//! vigilctl: talks to vigild's control socket — `status` (`--json`), `reload`,
//! `restart checker|vrrp`, `stop`.

use clap::{Parser, Subcommand, ValueEnum};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use vigil_supervisor::cli::DEFAULT_CONTROL;
use vigil_supervisor::control::{ChildName, Request, Response};

/// How long to wait for an answer: a reload waits for both children.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Parser)]
#[command(name = "vigilctl", about = "Control a running vigild")]
struct Args {
    /// vigild's control socket.
    #[arg(long = "socket", value_name = "PATH", default_value = DEFAULT_CONTROL, global = true)]
    socket: PathBuf,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Processes, VRRP instances, real servers and the desired IPVS state.
    Status {
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Reload the configuration file; says whether it was applied.
    Reload,
    /// Restart one child (restarting the checker never changes VRRP state).
    Restart {
        /// Which child.
        child: Which,
    },
    /// Stop the suite.
    Stop,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Which {
    /// vigil-checkerd.
    Checker,
    /// vigil-vrrpd.
    Vrrp,
}

fn ask(socket: &PathBuf, req: &Request) -> Result<Response, String> {
    let mut stream = UnixStream::connect(socket).map_err(|e| {
        format!(
            "cannot reach vigild at {}: {e} (is vigild running? is this the socket given with --control?)",
            socket.display()
        )
    })?;
    stream
        .set_read_timeout(Some(ANSWER_TIMEOUT))
        .map_err(|e| e.to_string())?;
    let mut line = serde_json::to_vec(req).map_err(|e| e.to_string())?;
    line.push(b'\n');
    stream
        .write_all(&line)
        .map_err(|e| format!("sending the request: {e}"))?;
    let mut answer = String::new();
    BufReader::new(stream)
        .read_line(&mut answer)
        .map_err(|e| format!("reading the answer: {e}"))?;
    if answer.is_empty() {
        return Err("vigild closed the connection without answering".into());
    }
    serde_json::from_str(&answer).map_err(|e| format!("cannot understand the answer: {e}"))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let (req, json) = match &args.command {
        Command::Status { json } => (Request::Status, *json),
        Command::Reload => (Request::Reload, false),
        Command::Restart { child } => (
            Request::Restart {
                child: match child {
                    Which::Checker => ChildName::Checker,
                    Which::Vrrp => ChildName::Vrrp,
                },
            },
            false,
        ),
        Command::Stop => (Request::Stop, false),
    };
    let answer = match ask(&args.socket, &req) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("vigilctl: {e}");
            return ExitCode::from(2);
        }
    };
    match answer {
        Response::Status(s) if json => match serde_json::to_string_pretty(&s) {
            Ok(t) => println!("{t}"),
            Err(e) => {
                eprintln!("vigilctl: {e}");
                return ExitCode::FAILURE;
            }
        },
        Response::Status(s) => print!("{}", s.render()),
        Response::Reload(r) if r.applied => {
            println!(
                "configuration applied: generation {} in force",
                r.generation
            );
        }
        Response::Reload(r) => {
            println!(
                "configuration NOT applied: generation {} stays in force",
                r.generation
            );
            for e in &r.errors {
                println!("  {e}");
            }
            return ExitCode::FAILURE;
        }
        Response::Ok { message } => println!("{message}"),
        Response::Error { message } => {
            eprintln!("vigilctl: {message}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
