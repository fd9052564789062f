//! `make session-keys`: a new Ed25519 key pair for session tokens, as the deploy's two
//! parameters. The private key (`SessionSigningKey`) goes into a Secrets Manager secret that
//! only sign-up and sign-in read; the public key (`SessionPublicKeys`) is not secret.
//!
//! Rotation: deploy with `SessionPublicKeys=<new>,<old>` and the new `SessionSigningKey`, then,
//! once the session lifetime has passed, with `SessionPublicKeys=<new>` alone
//! (docs/OPERATIONS.md, "Secrets").

use std::io::Read;

fn main() {
    let mut random = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut random))
        .unwrap_or_else(|err| {
            eprintln!("session-keys: cannot read /dev/urandom: {err}");
            std::process::exit(1);
        });
    let seed = ticketing::auth::token::seed_from(random);
    let public = ticketing::auth::token::public_key_of(&seed).expect("a fresh seed is 32 bytes");
    println!("SessionSigningKey={seed}");
    println!("SessionPublicKeys={public}");
}
