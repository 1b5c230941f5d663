//! Writing a trace set to stdout, shared by the commands that produce trace files.

use spanlens_formats::export::{self, ExportFormat};
use spanlens_model::TraceSet;
use std::io::Write as _;
use std::process::ExitCode;

/// Writes `set` as `format` to stdout. `command` names the subcommand in error messages.
pub fn write_stdout(set: &TraceSet, format: ExportFormat, command: &str) -> ExitCode {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match export::write(set, format, &mut lock).and_then(|()| lock.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is the reader's choice, not a failure worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("spanlens {command}: writing output: {e}");
            ExitCode::FAILURE
        }
    }
}
