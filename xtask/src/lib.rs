//! dataplat's maintainer tasks as a library, so they can be tested against scratch copies of
//! the spec folders. The `xtask` binary is a thin command line over these modules.

pub mod airflow_server;
pub mod audit;
pub mod bench;
pub mod build_baseline;
pub mod check;
pub mod consumer;
pub mod demo;
pub mod downgrade;
pub mod layout;
pub mod lint;
pub mod live;
pub mod msrv;
pub mod normalize;
pub mod refresh;
pub mod servers;
pub mod test_cmd;
pub mod toolenv;
