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

//! Child process handling.
//!
//! Every component is spawned from one long-lived "spawner" thread with
//! `PR_SET_PDEATHSIG=SIGKILL`. The kernel delivers that signal when the
//! *thread* that forked the child exits, so spawning from a short-lived test
//! thread would kill the control plane as soon as that test returned; the
//! spawner thread lives as long as the process, so children die exactly when
//! the process dies (including SIGKILL and aborts, where no destructor runs).

use crate::{Error, Result};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};

type SpawnRequest = (Command, mpsc::Sender<io::Result<Child>>);

fn spawner() -> &'static Mutex<mpsc::Sender<SpawnRequest>> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name("local-cluster-spawner".into())
            .spawn(move || {
                // The sender sits in a static and is never dropped, so this
                // loop (and the thread) lasts for the life of the process.
                while let Ok((mut cmd, reply)) = rx.recv() {
                    let _ = reply.send(cmd.spawn());
                }
            })
            .expect("spawn local-cluster-spawner thread");
        Mutex::new(tx)
    })
}

/// Spawns `cmd` on the spawner thread, tied to the life of this process.
pub(crate) fn spawn_tied(mut cmd: Command) -> io::Result<Child> {
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure runs between fork and exec and only calls
    // async-signal-safe functions (prctl, getppid).
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died between fork and prctl.
            if libc::getppid() != parent {
                return Err(io::Error::other("parent exited during spawn"));
            }
            Ok(())
        });
    }
    // Own process group: a terminal Ctrl-C reaches only the launcher, which
    // then tears the components down in order.
    cmd.process_group(0);
    let (reply_tx, reply_rx) = mpsc::channel();
    spawner()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .send((cmd, reply_tx))
        .map_err(|_| io::Error::other("spawner thread is gone"))?;
    reply_rx
        .recv()
        .map_err(|_| io::Error::other("spawner thread dropped the request"))?
}

/// One running component.
pub(crate) struct Proc {
    pub(crate) name: &'static str,
    pub(crate) child: Child,
    pub(crate) log: PathBuf,
    /// How it was started, to start it again after [`Proc::stop`].
    program: PathBuf,
    args: Vec<String>,
    envs: Vec<(String, String)>,
    /// Stopped on purpose (a fault test): not an early exit.
    pub(crate) stopped: bool,
}

impl Proc {
    /// Starts `program` with `args`; stdout and stderr go to `<logs>/<name>.log`.
    pub(crate) fn start(
        name: &'static str,
        program: &Path,
        args: &[String],
        envs: &[(&str, String)],
        logs: &Path,
    ) -> Result<Self> {
        let log = logs.join(format!("{name}.log"));
        File::create(&log).map_err(|e| Error::io(format!("creating {}", log.display()), e))?;
        let envs: Vec<(String, String)> = envs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let child = Self::launch(name, program, args, &envs, &log)?;
        Ok(Self {
            name,
            child,
            log,
            program: program.to_owned(),
            args: args.to_vec(),
            envs,
            stopped: false,
        })
    }

    fn launch(
        name: &str,
        program: &Path,
        args: &[String],
        envs: &[(String, String)],
        log: &Path,
    ) -> Result<Child> {
        let out = File::options()
            .append(true)
            .open(log)
            .map_err(|e| Error::io(format!("opening {}", log.display()), e))?;
        let err = out
            .try_clone()
            .map_err(|e| Error::io("cloning log handle", e))?;
        let mut cmd = Command::new(program);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .env_remove("KUBECONFIG");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        spawn_tied(cmd)
            .map_err(|e| Error::io(format!("starting {name} ({})", program.display()), e))
    }

    /// SIGKILL, as a crash would, and reap; the component stays down until [`Proc::resume`].
    pub(crate) fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        self.stopped = true;
    }

    /// Starts a stopped component again with the same program, flags and environment (so
    /// the same ports and data directory); its log continues in the same file.
    pub(crate) fn resume(&mut self) -> Result<()> {
        if !self.stopped {
            self.stop();
        }
        self.child = Self::launch(self.name, &self.program, &self.args, &self.envs, &self.log)?;
        self.stopped = false;
        Ok(())
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Err with the log tail when the process has already exited.
    pub(crate) fn check_running(&mut self) -> Result<()> {
        if self.stopped {
            return Ok(());
        }
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(Error::new(format!(
                "{} exited early ({status}); last log lines:\n{}",
                self.name,
                log_tail(&self.log, 40)
            ))),
            Err(e) => Err(Error::io(format!("checking {}", self.name), e)),
        }
    }
}

/// Kills all processes (newest first) with SIGKILL and reaps them. The state
/// is throwaway (etcd runs without fsync in a temp dir), so there is nothing a
/// graceful stop would preserve, and SIGKILL keeps teardown instant.
pub(crate) fn kill_all(procs: &mut Vec<Proc>) {
    for p in procs.iter_mut().rev() {
        if matches!(p.child.try_wait(), Ok(None)) {
            let _ = p.child.kill();
        }
        let _ = p.child.wait();
    }
    procs.clear();
}

/// The last `lines` lines of a log file (best effort).
pub(crate) fn log_tail(path: &Path, lines: usize) -> String {
    let Ok(mut f) = File::open(path) else {
        return format!("(no log at {})", path.display());
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(16 * 1024);
    let _ = f.seek(SeekFrom::Start(start));
    let mut buf = Vec::new();
    let _ = f.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// True when a process with this pid exists (it may be a zombie).
pub fn pid_alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks for existence and permission.
    let rc = unsafe { libc::kill(pid as libc::pid_t, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}
