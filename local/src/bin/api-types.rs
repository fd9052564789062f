//! `api-types`: writes web/src/api-types.ts from docs/openapi.yaml (`make api-types`).

use local::openapi::{typescript, OpenApi, OPENAPI_PATH, TYPESCRIPT_PATH};
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let rendered = OpenApi::load(root.join(OPENAPI_PATH)).and_then(|api| typescript::render(&api));
    match rendered {
        Ok(text) => match std::fs::write(root.join(TYPESCRIPT_PATH), text) {
            Ok(()) => {
                println!("api-types: wrote {TYPESCRIPT_PATH} from {OPENAPI_PATH}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("api-types: cannot write {TYPESCRIPT_PATH}: {error}");
                ExitCode::FAILURE
            }
        },
        Err(error) => {
            eprintln!("api-types: {OPENAPI_PATH}: {error}");
            ExitCode::FAILURE
        }
    }
}
