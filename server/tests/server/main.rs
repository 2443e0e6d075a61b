//! pantau-server's tests, one binary with a module per topic (one link, not
//! nine: CI's disk and time). Most run the real router over loopback HTTP.

mod common;

mod desk_http;

mod accounts_http;
mod ballots_http;
mod batch_http;
mod export_http;
mod odd_input_http;
mod openapi_http;
mod parsing_proptest;
mod photos_http;
mod photos_s3;
mod process;
mod reports_http;
// Several servers on one database: PostgreSQL only (`cargo xtask test` runs
// the suite on it with this feature).
#[cfg(feature = "postgres-tests")]
mod several_servers;
mod static_http;
mod sync_faults;
