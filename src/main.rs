// Copyright 2026 The rustfs-operator Authors.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

//! The `rustfs-operator` command line: parse, then dispatch. Logic lives in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("RUSTFS_OPERATOR_GIT_COMMIT"),
    ", built from a tree committed ",
    env!("RUSTFS_OPERATOR_BUILD_DATE"),
    ")"
);

/// Kubernetes operator for RustFS, an S3-compatible erasure-coded object store.
#[derive(Parser, Debug)]
#[command(name = "rustfs-operator", version = VERSION, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the Tenant CustomResourceDefinition as YAML (or write it to a file).
    Crd {
        /// Write the CRD to this file instead of standard output.
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Crd { file } => {
            let yaml = rustfs_operator::crd::tenant_crd_yaml();
            match file {
                None => {
                    print!("{yaml}");
                    ExitCode::SUCCESS
                }
                Some(path) => match std::fs::write(&path, yaml) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("error: cannot write the CRD to {}: {e}", path.display());
                        ExitCode::FAILURE
                    }
                },
            }
        }
    }
}
