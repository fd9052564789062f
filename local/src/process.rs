//! Child processes that never outlive the process that started them.

use std::process::Command;

/// Makes the child get SIGKILL when the thread that spawns it dies, so a gateway or test that is
/// killed outright leaves no function or moto processes behind. Linux only; a no-op elsewhere.
pub fn die_with_parent(command: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: the closure runs between fork and exec and only makes an async-signal-safe
        // system call, touching no memory of the parent.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(
                    libc::PR_SET_PDEATHSIG,
                    libc::SIGKILL as libc::c_ulong,
                    0,
                    0,
                    0,
                ) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = command;
}
