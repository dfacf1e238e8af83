//! The app's Tauri commands: argument plumbing over the core, no logic.
//! `table.rs` lists them and this module registers that list; `gate.rs`
//! holds the owner gate, a command argument that refuses unless owner mode
//! is open.

mod gate;
pub mod owner;
mod printer;
mod refund;
mod shift;
pub(crate) mod till;

pub use gate::Owner;

use tauri::Runtime;

macro_rules! command_table {
    ($($set:ident : $module:ident :: { $($command:ident),* $(,)? }),* $(,)?) => {
        /// Every command and its permission set, as `table.rs` lists them.
        pub const TABLE: &[(&str, &str)] = &[$($((stringify!($set), stringify!($command))),*),*];

        /// The invoke handler of every command in the table.
        pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($($module::$command),*),*]
        }
    };
}

include!("table.rs");
