//! EDB BigAnimal (API v3). Its client is generated once `specs/biganimal` exists (issue 3); the
//! authentication it will use is here already.

pub mod auth;

pub use auth::{DeviceLogin, DevicePrompt};
